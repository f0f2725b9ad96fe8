package io.replicator.protocol.wire;

import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.function.Supplier;

/**
 * One frame of every type with its bytes on the wire, written field by field, and the HELLO of a v1
 * source. The offsets in the comments count from the first byte of the frame (the length field);
 * the trailers were computed apart from the code under test. Stateless.
 */
public final class GoldenFrames {
    /** A frame, a fresh instance per call (block frames hold a buffer), and its bytes on the wire. */
    public record Golden(String name, Supplier<Frame> frame, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    public static final byte[] HELLO = Hex.bytes(
            "00000031",         // @0  length 49: type, flags, a 43-byte body and the trailer
            "01",               // @4  type HELLO
            "01",               // @5  flags: CHECKSUM (a trailer follows the body)
            "52504c43",         // @6  magic "RPLC"
            "0002",             // @10 minVersion 2
            "0002",             // @12 maxVersion 2
            "0000000000000003", // @14 features LZ4 | ZERO_RANGES
            "0005",             // @22 sourceId length 5
            "7372632d31",       // @24 sourceId "src-1"
            "0001",             // @29 volume count 1
            "0004",             // @31 volume[0] name length 4
            "766f6c30",         // @33 volume[0] name "vol0"
            "0000000000100000", // @37 volume[0] sizeBytes 1 MiB
            "00001000",         // @45 volume[0] blockSizeBytes 4096
            "1b6f672b");        // @49 trailer: CRC32C of bytes 0-48

    /** The HELLO a v1 source sends, byte for byte: flags 0 and no trailer, versions 1-1. */
    public static final byte[] V1_HELLO = Hex.bytes(
            "0000002d",         // @0  length 45: type, flags and a 43-byte body
            "01",               // @4  type HELLO
            "00",               // @5  flags: none in v1
            "52504c43",         // @6  magic "RPLC"
            "0001",             // @10 minVersion 1
            "0001",             // @12 maxVersion 1
            "0000000000000003", // @14 features LZ4 | ZERO_RANGES
            "0005",             // @22 sourceId length 5
            "7372632d31",       // @24 sourceId "src-1"
            "0001",             // @29 volume count 1
            "0004",             // @31 volume[0] name length 4
            "766f6c30",         // @33 volume[0] name "vol0"
            "0000000000100000", // @37 volume[0] sizeBytes 1 MiB
            "00001000");        // @45 volume[0] blockSizeBytes 4096

    public static final byte[] HELLO_ACK = Hex.bytes(
            "00000020",         // @0  length 32
            "02",               // @4  type HELLO_ACK
            "01",               // @5  flags: CHECKSUM
            "52504c43",         // @6  magic "RPLC"
            "0002",             // @10 version 2
            "0002",             // @12 minVersion 2
            "0002",             // @14 maxVersion 2
            "0000000000000003", // @16 features LZ4 | ZERO_RANGES
            "0000000000000029", // @24 durableSequence 41
            "a2906727");        // @32 trailer: CRC32C of bytes 0-31

    public static final byte[] BLOCK_RAW = Hex.bytes(
            "0000002e",         // @0  length 46: type, flags, 32-byte block header, 8-byte payload, trailer
            "03",               // @4  type BLOCK
            "01",               // @5  flags: CHECKSUM
            "0000",             // @6  volume 0
            "00",               // @8  encoding RAW
            "00",               // @9  reserved
            "0000000000000001", // @10 sequence 1
            "0000000000002000", // @18 offset 8192
            "00000008",         // @26 length 8
            "6b61e49d",         // @30 crc32c of "blockraw"
            "00000008",         // @34 payloadLength 8
            "626c6f636b726177", // @38 payload "blockraw"
            "58178549");        // @46 trailer: CRC32C of bytes 0-45, the header fields above included

    public static final byte[] BLOCK_LZ4 = Hex.bytes(
            "00000031",         // @0  length 49: type, flags, 32-byte block header, 11-byte payload, trailer
            "03",               // @4  type BLOCK
            "01",               // @5  flags: CHECKSUM
            "0001",             // @6  volume 1
            "01",               // @8  encoding LZ4
            "00",               // @9  reserved
            "0000000000000002", // @10 sequence 2
            "0000000000010000", // @18 offset 64 KiB
            "00000040",         // @26 length 64
            "37aeee33",         // @30 crc32c of 64 x 'a'
            "0000000b",         // @34 payloadLength 11
            "1f 61 01 00 27",   // @38 LZ4 sequence: token (1 literal, match 15+), 'a', match offset 1, match +39 = 58
            "50 6161616161",    // @43 LZ4 last sequence: token (5 literals), "aaaaa"
            "2fbe6537");        // @49 trailer: CRC32C of bytes 0-48

    public static final byte[] BLOCK_ZERO = Hex.bytes(
            "00000026",         // @0  length 38: type, flags, 32-byte block header, no payload, trailer
            "03",               // @4  type BLOCK
            "01",               // @5  flags: CHECKSUM
            "0002",             // @6  volume 2
            "02",               // @8  encoding ZERO
            "00",               // @9  reserved
            "0000000000000003", // @10 sequence 3
            "0000000000020000", // @18 offset 128 KiB
            "00001000",         // @26 length 4096
            "98f94189",         // @30 crc32c of 4096 zero bytes
            "00000000",         // @34 payloadLength 0
            "de2c97d4");        // @38 trailer: CRC32C of bytes 0-37

    public static final byte[] ACK = Hex.bytes(
            "0000000e",         // @0  length 14
            "04",               // @4  type ACK
            "01",               // @5  flags: CHECKSUM
            "0000000000000029", // @6  durableSequence 41
            "28190f75");        // @14 trailer: CRC32C of bytes 0-13

    public static final byte[] BARRIER = Hex.bytes(
            "00000016",         // @0  length 22
            "05",               // @4  type BARRIER
            "01",               // @5  flags: CHECKSUM
            "0000000000000007", // @6  barrierId 7
            "0000000000000029", // @14 sequence 41
            "ea7ae85f");        // @22 trailer: CRC32C of bytes 0-21

    public static final byte[] BARRIER_ACK = Hex.bytes(
            "00000016",         // @0  length 22
            "06",               // @4  type BARRIER_ACK
            "01",               // @5  flags: CHECKSUM
            "0000000000000007", // @6  barrierId 7
            "000000000000002a", // @14 durableSequence 42
            "e8911dd6");        // @22 trailer: CRC32C of bytes 0-21

    public static final byte[] CUTOVER_REPORT = Hex.bytes(
            "00000021",         // @0  length 33
            "0b",               // @4  type CUTOVER_REPORT
            "01",               // @5  flags: CHECKSUM
            "0000000000000009", // @6  requestId 9
            "01",               // @14 flags: SEAL
            "0003",             // @15 reportId length 3
            "772d31",           // @17 reportId "w-1"
            "00000002",         // @20 json length 2
            "7b7d",             // @24 json "{}"
            "00000003",         // @26 markdown length 3
            "232072",           // @30 markdown "# r"
            "aa142d1a");        // @33 trailer: CRC32C of bytes 0-32

    public static final byte[] CUTOVER_REPORT_ACK = Hex.bytes(
            "0000000f",         // @0  length 15
            "0c",               // @4  type CUTOVER_REPORT_ACK
            "01",               // @5  flags: CHECKSUM
            "0000000000000009", // @6  requestId 9
            "01",               // @14 flags: SEALED
            "0693dbb2");        // @15 trailer: CRC32C of bytes 0-14

    public static final byte[] CHECKPOINT = Hex.bytes(
            "00000034",         // @0  length 52
            "0d",               // @4  type CHECKPOINT
            "01",               // @5  flags: CHECKSUM
            "0000000000000009", // @6  requestId 9
            "02",               // @14 kind CONSISTENT
            "0000000000000003", // @15 checkpointId 3
            "0000000000000029", // @23 sequence 41
            "00000193a0fdae00", // @31 timeMs 1733572800000
            "00000078",         // @39 freezeMs 120
            "0007",             // @43 label length 7
            "6e696768746c79",   // @45 label "nightly"
            "bde2b6d8");        // @52 trailer: CRC32C of bytes 0-51

    public static final byte[] CHECKPOINT_ACK = Hex.bytes(
            "0000001d",         // @0  length 29
            "0e",               // @4  type CHECKPOINT_ACK
            "01",               // @5  flags: CHECKSUM
            "0000000000000009", // @6  requestId 9
            "00",               // @14 flags: not LAUNCHABLE
            "000c",             // @15 reason length 12
            "696e697469616c20636f7079", // @17 reason "initial copy"
            "0563de75");        // @29 trailer: CRC32C of bytes 0-28

    public static final byte[] HASH_REQUEST = Hex.bytes(
            "00000020",         // @0  length 32
            "07",               // @4  type HASH_REQUEST
            "01",               // @5  flags: CHECKSUM
            "0000000000000005", // @6  requestId 5
            "0001",             // @14 volume 1
            "0000000000200000", // @16 offset 2 MiB
            "00010000",         // @24 chunkSizeBytes 64 KiB
            "00000002",         // @28 count 2
            "19b46ca0");        // @32 trailer: CRC32C of bytes 0-31

    public static final byte[] HASH_RESPONSE = Hex.bytes(
            "00000060",         // @0  length 96: type, flags, 26-byte header, 2 x 32-byte hash, trailer
            "08",               // @4  type HASH_RESPONSE
            "01",               // @5  flags: CHECKSUM
            "0000000000000005", // @6  requestId 5
            "0001",             // @14 volume 1
            "0000000000200000", // @16 offset 2 MiB
            "00010000",         // @24 chunkSizeBytes 64 KiB
            "00000002",         // @28 count 2
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",  // @32 hash[0]
            "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",  // @64 hash[1]
            "4e80b5d8");        // @96 trailer: CRC32C of bytes 0-95

    public static final byte[] ERROR = Hex.bytes(
            "00000013",         // @0  length 19
            "09",               // @4  type ERROR
            "01",               // @5  flags: CHECKSUM
            "000b",             // @6  code 11 BAD_SEQUENCE
            "0009",             // @8  message length 9
            "7365712035203c2037", // @10 message "seq 5 < 7"
            "c8db90cd");        // @19 trailer: CRC32C of bytes 0-18

    public static final byte[] HEARTBEAT = Hex.bytes(
            "00000006",         // @0  length 6: type, flags and the trailer, no body
            "0a",               // @4  type HEARTBEAT
            "01",               // @5  flags: CHECKSUM
            "cea1fac8");        // @6  trailer: CRC32C of bytes 0-5

    private GoldenFrames() {
    }

    public static Hello hello() {
        return new Hello(2, 2, 3, "src-1", List.of(new VolumeInfo("vol0", 1 << 20, 4096)));
    }

    public static BlockFrame blockRaw() {
        return new BlockFrame(0, Encoding.RAW, 1, 8192, 8, 0x6b61e49d, Unpooled.wrappedBuffer(Hex.utf8Bytes("blockraw")));
    }

    public static BlockFrame blockLz4() {
        return new BlockFrame(1, Encoding.LZ4, 2, 64 * 1024, 64, 0x37aeee33,
                Unpooled.wrappedBuffer(Hex.bytes("1f61010027", "506161616161")));
    }

    public static BlockFrame blockZero() {
        return new BlockFrame(2, Encoding.ZERO, 3, 128 * 1024, 4096, 0x98f94189, Unpooled.EMPTY_BUFFER);
    }

    public static HashResponse hashResponse() {
        byte[][] hashes = new byte[2][HashResponse.HASH_LENGTH];
        for (int i = 0; i < 2 * HashResponse.HASH_LENGTH; i++) {
            hashes[i / HashResponse.HASH_LENGTH][i % HashResponse.HASH_LENGTH] = (byte) i;
        }
        return new HashResponse(5, 1, 2 << 20, 64 * 1024, hashes);
    }

    public static List<Golden> all() {
        return List.of(
                new Golden("Hello", GoldenFrames::hello, HELLO),
                new Golden("HelloAck", () -> new HelloAck(2, 2, 2, 3, 41), HELLO_ACK),
                new Golden("BlockFrame RAW", GoldenFrames::blockRaw, BLOCK_RAW),
                new Golden("BlockFrame LZ4", GoldenFrames::blockLz4, BLOCK_LZ4),
                new Golden("BlockFrame ZERO", GoldenFrames::blockZero, BLOCK_ZERO),
                new Golden("Ack", () -> new Ack(41), ACK),
                new Golden("Barrier", () -> new Barrier(7, 41), BARRIER),
                new Golden("BarrierAck", () -> new BarrierAck(7, 42), BARRIER_ACK),
                new Golden("HashRequest", () -> new HashRequest(5, 1, 2 << 20, 64 * 1024, 2), HASH_REQUEST),
                new Golden("HashResponse", GoldenFrames::hashResponse, HASH_RESPONSE),
                new Golden("ErrorFrame", () -> new ErrorFrame(ErrorCode.BAD_SEQUENCE, "seq 5 < 7"), ERROR),
                new Golden("Heartbeat", () -> Heartbeat.INSTANCE, HEARTBEAT),
                new Golden("CutoverReport", () -> new CutoverReport(9, true, "w-1", "{}", "# r"), CUTOVER_REPORT),
                new Golden("CutoverReportAck", () -> new CutoverReportAck(9, true), CUTOVER_REPORT_ACK),
                new Golden("Checkpoint", () -> new Checkpoint(9, Checkpoint.Kind.CONSISTENT, 3, 41, 1733572800000L, 120,
                        "nightly"), CHECKPOINT),
                new Golden("CheckpointAck", () -> new CheckpointAck(9, false, "initial copy"), CHECKPOINT_ACK));
    }
}
