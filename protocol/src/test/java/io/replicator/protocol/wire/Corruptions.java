package io.replicator.protocol.wire;

import static io.replicator.protocol.wire.GoldenFrames.ACK;
import static io.replicator.protocol.wire.GoldenFrames.BARRIER;
import static io.replicator.protocol.wire.GoldenFrames.BARRIER_ACK;
import static io.replicator.protocol.wire.GoldenFrames.BLOCK_RAW;
import static io.replicator.protocol.wire.GoldenFrames.BLOCK_ZERO;
import static io.replicator.protocol.wire.GoldenFrames.CHECKPOINT;
import static io.replicator.protocol.wire.GoldenFrames.CHECKPOINT_ACK;
import static io.replicator.protocol.wire.GoldenFrames.CUTOVER_REPORT;
import static io.replicator.protocol.wire.GoldenFrames.CUTOVER_REPORT_ACK;
import static io.replicator.protocol.wire.GoldenFrames.ERROR;
import static io.replicator.protocol.wire.GoldenFrames.HASH_REQUEST;
import static io.replicator.protocol.wire.GoldenFrames.HASH_RESPONSE;
import static io.replicator.protocol.wire.GoldenFrames.HELLO;
import static io.replicator.protocol.wire.GoldenFrames.HELLO_ACK;
import static io.replicator.protocol.wire.Hex.repeat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The golden frames with one field corrupted each, and the error the decoder must raise: the code
 * and a part of the message that names the field, the value and the bound. Most are resealed (their
 * trailer computed again after the corruption), as a faulty or hostile peer would send them, so that
 * the check of the field itself is what refuses them; those of {@link #checksums} keep the trailer
 * the frame was sent with, as a bit flipped on the way would, and fail with {@code BAD_CHECKSUM}.
 * Stateless.
 */
final class Corruptions {
    /** One corrupted field: the bytes, the expected code and a substring of the expected message. */
    record Corruption(String field, byte[] bytes, ErrorCode code, String message) {
        @Override
        public String toString() {
            return field;
        }
    }

    private static final String MAX = Integer.toString(FrameEnvelope.MAX_LENGTH);
    private static final String MAGIC = "52504c43";
    private static final String VOL0 = volume(str("vol0"), "0000000000100000", "00001000");

    private Corruptions() {
    }

    static List<Corruption> all() {
        List<Corruption> c = new ArrayList<>();
        header(c);
        checksums(c);
        hello(c);
        helloAck(c);
        block(c);
        smallFrames(c);
        hashes(c);
        error(c);
        return c;
    }

    private static void header(List<Corruption> c) {
        c.add(bad("frame length 0", Hex.bytes("00000000", "0400"), "invalid frame length: 0 (expected: 2-" + MAX + ")"));
        c.add(bad("frame length 1 (below the minimum 2)", Hex.bytes("00000001", "04"),
                "invalid frame length: 1 (expected: 2-" + MAX + ")"));
        c.add(bad("frame length MAX_LENGTH+1", Hex.bytes(String.format("%08x", FrameEnvelope.MAX_LENGTH + 1), "0301"),
                "invalid frame length: " + (FrameEnvelope.MAX_LENGTH + 1) + " (expected: 2-" + MAX + ")"));
        c.add(bad("frame length 5 with a trailer (no room for it)", Hex.bytes("00000005", "0a01", "000000"),
                "invalid frame length: 5 (expected: 6-" + MAX + ")"));
        c.add(bad("frame length 2^31-1", Hex.bytes("7fffffff", "0300"), "invalid frame length: 2147483647"));
        c.add(bad("frame length 2^32-1", Hex.bytes("ffffffff", "0300"), "invalid frame length: 4294967295"));
        c.add(bad("frame type 0", patch(ACK, 4, "00"), "invalid frame type: 0 (expected: 1-14)"));
        c.add(bad("frame type 15", patch(ACK, 4, "0f"), "invalid frame type: 15 (expected: 1-14)"));
        c.add(bad("frame type 255", patch(ACK, 4, "ff"), "invalid frame type: 255 (expected: 1-14)"));
        c.add(bad("flags 0x03", patch(ACK, 5, "03"), "invalid flags: 0x03 (expected: 0x01)"));
        c.add(bad("flags 0x81", patch(HELLO, 5, "81"), "invalid flags: 0x81 (expected: 0x01)"));
        c.add(bad("flags 0x80 (no CHECKSUM bit)", patch(HELLO, 5, "80"),
                "HELLO frame without checksum trailer: flags 0x80 (expected: 0x01, on every frame since v2)"));
        c.add(new Corruption("flags 0 on the first frame (a v1 peer)", Hex.bytes("00000002", "0a00"),
                ErrorCode.UNSUPPORTED_VERSION, "no common protocol version: I support 2-2, peer supports 1-1 (its "
                + "first frame, HEARTBEAT, has no checksum trailer: protocol v1)"));
    }

    /**
     * One bit flipped in each field of a block frame's header and of an ACK, and in their trailers,
     * the trailer left as sent: every one is refused by the trailer's check, before its fields are read.
     */
    private static void checksums(List<Corruption> c) {
        flipped(c, "block volume", BLOCK_RAW, 7, 0);
        flipped(c, "block encoding", BLOCK_RAW, 8, 1);
        flipped(c, "block reserved", BLOCK_RAW, 9, 0);
        flipped(c, "block sequence", BLOCK_RAW, 10 + 7, 6);
        flipped(c, "block sequence, top bit", BLOCK_RAW, 10, 7);
        flipped(c, "block offset", BLOCK_RAW, 18 + 6, 4);
        flipped(c, "block length", BLOCK_RAW, 26 + 3, 2);
        flipped(c, "block crc32c", BLOCK_RAW, 30 + 1, 3);
        flipped(c, "block payloadLength", BLOCK_RAW, 34 + 3, 0);
        flipped(c, "block payload", BLOCK_RAW, 38 + 5, 5);
        flipped(c, "block trailer", BLOCK_RAW, 46 + 2, 7);
        flipped(c, "block type byte", BLOCK_RAW, 4, 2);
        flipped(c, "block flags bit 1", BLOCK_RAW, 5, 1);
        flipped(c, "block LZ4 offset", GoldenFrames.BLOCK_LZ4, 18 + 7, 3);
        flipped(c, "block ZERO length", BLOCK_ZERO, 26 + 2, 0);
        flipped(c, "ack durableSequence", ACK, 6 + 7, 4);
        flipped(c, "ack durableSequence, high bit", ACK, 6 + 1, 0);
        flipped(c, "ack trailer", ACK, 14, 0);
        flipped(c, "barrier-ack durableSequence", BARRIER_ACK, 14 + 7, 1);
        flipped(c, "hello source id", HELLO, 24 + 4, 0);
        flipped(c, "hello volume size", HELLO, 37 + 5, 2);
        flipped(c, "error code", ERROR, 6 + 1, 1);
    }

    /** {@code frame} with one bit flipped and its trailer as it was: refused with both CRCs named. */
    private static void flipped(List<Corruption> c, String field, byte[] frame, int offset, int bit) {
        byte[] bytes = Hex.flip(frame, offset, bit);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - FrameEnvelope.TRAILER_LENGTH);
        int expected = ByteBuffer.wrap(bytes).getInt(bytes.length - FrameEnvelope.TRAILER_LENGTH);
        String type = FrameType.describe(bytes[FrameEnvelope.TYPE_OFFSET] & 0xff);
        c.add(new Corruption(field + " bit flipped", bytes, ErrorCode.BAD_CHECKSUM, String.format(
                "bad checksum: %s frame of %d bytes has CRC32C 0x%08x (expected: 0x%08x, its trailer)",
                type, bytes.length, (int) crc.getValue(), expected)));
    }

    private static void hello(List<Corruption> c) {
        c.add(bad("hello magic", patch(HELLO, 6, "52504c44"), "invalid magic: 0x52504c44 (expected: 0x52504c43"));
        c.add(bad("hello magic zero", patch(HELLO, 6, "00000000"), "invalid magic: 0x00000000"));
        c.add(bad("hello minVersion 0", patch(HELLO, 10, "0000"), "invalid minVersion: 0 (expected: 1-65535)"));
        c.add(bad("hello maxVersion below minVersion", patch(HELLO, 10, "0003"),
                "invalid maxVersion: 2 (expected: 3-65535)"));
        c.add(bad("hello header truncated", Hex.frame(1, MAGIC, "0001"),
                "truncated frame: hello header needs 16 bytes, 6 left"));
        c.add(bad("hello source id length past the bytes left", patch(HELLO, 22, "00ff"),
                "invalid source id length: 255 (expected: 0-25)"));
        c.add(bad("hello source id length above 128", hello(str("a".repeat(129)), "0001", VOL0),
                "invalid source id length: 129 (expected: 0-128)"));
        c.add(bad("hello source id empty", hello(str(""), "0001", VOL0), "invalid source id: empty"));
        c.add(bad("hello source id with '/'", hello(str("a/b"), "0001", VOL0),
                "invalid source id: character 0x2f at 1 is not allowed"));
        c.add(bad("hello source id '..'", hello(str(".."), "0001", VOL0), "invalid source id: '..'"));
        c.add(bad("hello source id '.'", hello(str("."), "0001", VOL0), "invalid source id: '.'"));
        c.add(bad("hello source id with '\\'", hello(str("a\\b"), "0001", VOL0),
                "invalid source id: character 0x5c at 1 is not allowed"));
        c.add(bad("hello source id with a control character", hello(str("a\u0007"), "0001", VOL0),
                "invalid source id: character 0x07 at 1 is not allowed"));
        c.add(bad("hello source id not UTF-8", hello("0002 61ff", "0001", VOL0),
                "invalid source id: 2 bytes that are not well-formed UTF-8"));
        c.add(bad("hello volume count missing", hello(str("src-1"), ""),
                "truncated frame: volume count needs 2 bytes, 0 left"));
        c.add(bad("hello volume count 0", hello(str("src-1"), "0000"), "invalid volume count: 0 (expected: 1-256)"));
        c.add(bad("hello volume count 257", hello(str("src-1"), "0101", VOL0),
                "invalid volume count: 257 (expected: 1-256)"));
        c.add(bad("hello volume count 65535", patch(HELLO, 29, "ffff"), "invalid volume count: 65535 (expected: 1-256)"));
        c.add(bad("hello volume count above the volumes present", patch(HELLO, 29, "0002"),
                "truncated frame: volume name length needs 2 bytes, 0 left"));
        c.add(bad("volume name length past the bytes left", patch(HELLO, 31, "00ff"),
                "invalid volume name length: 255 (expected: 0-16)"));
        c.add(bad("volume name length above 128", hello(str("src-1"), "0001",
                volume(str("v".repeat(129)), "0000000000100000", "00001000")),
                "invalid volume name length: 129 (expected: 0-128)"));
        c.add(bad("volume name empty", helloWithName(str("")), "invalid volume name: empty"));
        c.add(bad("volume name with '/'", helloWithName(str("a/b")),
                "invalid volume name: character 0x2f at 1 is not allowed"));
        c.add(bad("volume name '..'", helloWithName(str("..")), "invalid volume name: '..'"));
        c.add(bad("volume name '.'", helloWithName(str(".")), "invalid volume name: '.'"));
        c.add(bad("volume name with a newline", helloWithName(str("a\n")),
                "invalid volume name: character 0x0a at 1 is not allowed"));
        c.add(bad("volume name with DEL", helloWithName(str("a\u007f")),
                "invalid volume name: character 0x7f at 1 is not allowed"));
        c.add(bad("volume name with NUL", helloWithName(str("\u0000")),
                "invalid volume name: character 0x00 at 0 is not allowed"));
        c.add(bad("volume name overlong UTF-8 '/'", helloWithName("0003 61c0af"),
                "invalid volume name: 3 bytes that are not well-formed UTF-8"));
        c.add(bad("volume name declared twice", hello(str("src-1"), "0002", VOL0, VOL0),
                "invalid volume name: 'vol0' declared twice (volumes 0 and 1)"));
        c.add(bad("volume sizeBytes negative", patch(HELLO, 37, "ffffffffffffffff"),
                "invalid sizeBytes: -1 (expected: 0-1125899906842624)"));
        c.add(bad("volume sizeBytes above 1 PiB", patch(HELLO, 37, "0004000000000001"),
                "invalid sizeBytes: 1125899906842625 (expected: 0-1125899906842624)"));
        c.add(bad("volume blockSizeBytes not a power of two", patch(HELLO, 45, "00003000"),
                "invalid blockSizeBytes: 12288 (expected: a power of two)"));
        c.add(bad("volume blockSizeBytes too small", patch(HELLO, 45, "00000800"),
                "invalid blockSizeBytes: 2048 (expected: 4096-1048576)"));
        c.add(bad("volume blockSizeBytes 0", patch(HELLO, 45, "00000000"),
                "invalid blockSizeBytes: 0 (expected: 4096-1048576)"));
        c.add(bad("volume blockSizeBytes too big", patch(HELLO, 45, "00200000"),
                "invalid blockSizeBytes: 2097152 (expected: 4096-1048576)"));
        c.add(bad("volume blockSizeBytes negative", patch(HELLO, 45, "80000000"),
                "invalid blockSizeBytes: -2147483648 (expected: 4096-1048576)"));
        c.add(bad("volume truncated", truncated(HELLO, 35),
                "truncated frame: volume size and block size needs 12 bytes, 4 left"));
        c.add(bad("hello trailing bytes", trailing(HELLO), "frame HELLO has 1 trailing bytes"));
    }

    private static void helloAck(List<Corruption> c) {
        c.add(bad("hello-ack magic", patch(HELLO_ACK, 6, "00000000"), "invalid magic: 0x00000000"));
        c.add(bad("hello-ack version 0", patch(HELLO_ACK, 10, "0000"), "invalid version: 0 (expected: 2-2)"));
        c.add(bad("hello-ack version above maxVersion", patch(HELLO_ACK, 10, "0003"),
                "invalid version: 3 (expected: 2-2)"));
        c.add(bad("hello-ack minVersion 0", patch(HELLO_ACK, 12, "0000"), "invalid minVersion: 0 (expected: 1-65535)"));
        c.add(bad("hello-ack maxVersion below minVersion", patch(HELLO_ACK, 12, "0003"),
                "invalid maxVersion: 2 (expected: 3-65535)"));
        c.add(bad("hello-ack durableSequence negative", patch(HELLO_ACK, 24, "ffffffffffffffff"),
                "invalid durableSequence: -1 (expected: 0-9223372036854775807)"));
        c.add(bad("hello-ack truncated", truncated(HELLO_ACK, 25),
                "truncated frame: hello-ack body needs 26 bytes, 25 left"));
        c.add(bad("hello-ack trailing bytes", trailing(HELLO_ACK), "frame HELLO_ACK has 1 trailing bytes"));
    }

    private static void block(List<Corruption> c) {
        c.add(bad("block volume 256", patch(BLOCK_RAW, 6, "0100"), "invalid volume: 256 (expected: 0-255)"));
        c.add(bad("block volume 65535", patch(BLOCK_RAW, 6, "ffff"), "invalid volume: 65535 (expected: 0-255)"));
        c.add(bad("block encoding 3", patch(BLOCK_RAW, 8, "03"), "invalid encoding: 3 (expected: 0-2)"));
        c.add(bad("block encoding 255", patch(BLOCK_RAW, 8, "ff"), "invalid encoding: 255 (expected: 0-2)"));
        c.add(bad("block reserved non-zero", patch(BLOCK_RAW, 9, "01"), "invalid reserved: 1 (expected: 0-0)"));
        c.add(bad("block sequence 0", patch(BLOCK_RAW, 10, "0000000000000000"),
                "invalid sequence: 0 (expected: 1-9223372036854775807)"));
        c.add(bad("block sequence negative", patch(BLOCK_RAW, 10, "8000000000000000"),
                "invalid sequence: -9223372036854775808 (expected: 1-9223372036854775807)"));
        c.add(bad("block offset negative", patch(BLOCK_RAW, 18, "ffffffffffffffff"),
                "invalid offset: -1 (expected: 0-1125899906842623)"));
        c.add(bad("block offset at 1 PiB", patch(BLOCK_RAW, 18, "0004000000000000"),
                "invalid offset: 1125899906842624 (expected: 0-1125899906842623)"));
        c.add(bad("block length 0", patch(BLOCK_RAW, 26, "00000000"), "invalid length: 0 (expected: 1-1048576)"));
        c.add(bad("block length MAX_BLOCK_SIZE+1", patch(BLOCK_RAW, 26, "00100001"),
                "invalid length: 1048577 (expected: 1-1048576)"));
        c.add(bad("block length 2^32-1", patch(BLOCK_RAW, 26, "ffffffff"),
                "invalid length: 4294967295 (expected: 1-1048576)"));
        c.add(bad("block payloadLength above the bytes left", patch(BLOCK_RAW, 34, "00000009"),
                "invalid payloadLength: 9 (expected: 8-8)"));
        c.add(bad("block payloadLength below the bytes left", patch(BLOCK_RAW, 34, "00000007"),
                "invalid payloadLength: 7 (expected: 8-8)"));
        c.add(bad("block payloadLength 2^32-1", patch(BLOCK_RAW, 34, "ffffffff"),
                "invalid payloadLength: 4294967295 (expected: 8-8)"));
        c.add(bad("block RAW payload shorter than length", patch(BLOCK_RAW, 26, "00000009"),
                "invalid payloadLength: 8 (expected: 9-9)"));
        c.add(bad("block RAW payload longer than length", patch(BLOCK_RAW, 26, "00000007"),
                "invalid payloadLength: 8 (expected: 7-7)"));
        c.add(bad("block ZERO with a payload", trailing(patch(BLOCK_ZERO, 34, "00000001")),
                "invalid payloadLength: 1 (expected: 0-0)"));
        c.add(bad("block LZ4 without a payload", patch(BLOCK_ZERO, 8, "01"), "invalid payloadLength: 0 (expected: 1-"));
        c.add(bad("block LZ4 payload above the LZ4 bound of its length",
                Hex.frame(3, "0000 01 00", "0000000000000001", "0000000000000000", "00000008", "00000000",
                        "00000019", repeat(0x11, 25)),
                "invalid payloadLength: 25 (expected: 1-24)"));
        c.add(bad("block header truncated", truncated(BLOCK_RAW, 31),
                "truncated frame: block header needs 32 bytes, 31 left"));
    }

    private static void smallFrames(List<Corruption> c) {
        c.add(bad("ack durableSequence negative", patch(ACK, 6, "ffffffffffffffff"),
                "invalid durableSequence: -1 (expected: 0-9223372036854775807)"));
        c.add(bad("ack truncated", truncated(ACK, 7), "truncated frame: ack body needs 8 bytes, 7 left"));
        c.add(bad("ack trailing bytes", trailing(ACK), "frame ACK has 1 trailing bytes"));
        c.add(bad("barrier barrierId negative", patch(BARRIER, 6, "ffffffffffffffff"),
                "invalid barrierId: -1 (expected: 0-9223372036854775807)"));
        c.add(bad("barrier sequence negative", patch(BARRIER, 14, "ffffffffffffffff"),
                "invalid sequence: -1 (expected: 0-9223372036854775807)"));
        c.add(bad("barrier truncated", truncated(BARRIER, 15), "truncated frame: barrier body needs 16 bytes, 15 left"));
        c.add(bad("barrier trailing bytes", trailing(BARRIER), "frame BARRIER has 1 trailing bytes"));
        c.add(bad("barrier-ack barrierId negative", patch(BARRIER_ACK, 6, "ffffffffffffffff"),
                "invalid barrierId: -1 (expected: 0-9223372036854775807)"));
        c.add(bad("barrier-ack durableSequence negative", patch(BARRIER_ACK, 14, "ffffffffffffffff"),
                "invalid durableSequence: -1 (expected: 0-9223372036854775807)"));
        c.add(bad("barrier-ack truncated", truncated(BARRIER_ACK, 15),
                "truncated frame: barrier-ack body needs 16 bytes, 15 left"));
        c.add(bad("barrier-ack trailing bytes", trailing(BARRIER_ACK), "frame BARRIER_ACK has 1 trailing bytes"));
        cutoverReports(c);
        checkpoints(c);
    }

    private static void checkpoints(List<Corruption> c) {
        c.add(bad("checkpoint kind 3", patch(CHECKPOINT, 14, "03"), "invalid checkpoint kind: 3 (expected: 1-2)"));
        c.add(bad("checkpoint timeMs negative", patch(CHECKPOINT, 31, "ffffffffffffffff"),
                "invalid timeMs: -1 (expected: 0-9223372036854775807)"));
        c.add(bad("checkpoint label longer than the frame", patch(CHECKPOINT, 43, "0010"),
                "invalid checkpoint label length: 16 (expected: 0-7)"));
        c.add(bad("checkpoint truncated", truncated(CHECKPOINT, 20),
                "truncated frame: checkpoint body needs 37 bytes, 20 left"));
        c.add(bad("checkpoint trailing bytes", trailing(CHECKPOINT), "frame CHECKPOINT has 1 trailing bytes"));
        c.add(bad("checkpoint-ack unknown flag", patch(CHECKPOINT_ACK, 14, "02"),
                "invalid checkpoint ack flags: 0x02 (expected: 0x00-0x01)"));
        c.add(bad("checkpoint-ack truncated", truncated(CHECKPOINT_ACK, 8),
                "truncated frame: checkpoint ack requestId and flags needs 9 bytes, 8 left"));
        c.add(bad("checkpoint-ack trailing bytes", trailing(CHECKPOINT_ACK), "frame CHECKPOINT_ACK has 1 trailing bytes"));
    }

    private static void cutoverReports(List<Corruption> c) {
        c.add(bad("cutover-report requestId negative", patch(CUTOVER_REPORT, 6, "ffffffffffffffff"),
                "invalid requestId: -1 (expected: 0-9223372036854775807)"));
        c.add(bad("cutover-report unknown flag", patch(CUTOVER_REPORT, 14, "03"),
                "invalid cutover report flags: 0x03 (expected: 0x00-0x01)"));
        c.add(bad("cutover-report reportId with a slash", patch(CUTOVER_REPORT, 17, "772f31"),
                "invalid reportId: \"w/1\" (expected: letters, digits, '-', '_', '.', not starting with '.')"));
        c.add(bad("cutover-report reportId empty", patch(CUTOVER_REPORT, 15, "0000"),
                "invalid reportId length: 0 (expected: 1-128)"));
        c.add(bad("cutover-report json longer than the frame", patch(CUTOVER_REPORT, 20, "00000010"),
                "invalid report json length: 16 (expected: 0-9)"));
        c.add(bad("cutover-report markdown over its bound", patch(CUTOVER_REPORT, 26, "7fffffff"),
                "invalid report markdown length: 2147483647 (expected: 0-3)"));
        c.add(bad("cutover-report truncated", truncated(CUTOVER_REPORT, 8),
                "truncated frame: cutover report requestId and flags needs 9 bytes, 8 left"));
        c.add(bad("cutover-report trailing bytes", trailing(CUTOVER_REPORT), "frame CUTOVER_REPORT has 1 trailing bytes"));
        c.add(bad("cutover-report-ack unknown flag", patch(CUTOVER_REPORT_ACK, 14, "80"),
                "invalid cutover report ack flags: 0x80 (expected: 0x00-0x01)"));
        c.add(bad("cutover-report-ack truncated", truncated(CUTOVER_REPORT_ACK, 8),
                "truncated frame: cutover report ack body needs 9 bytes, 8 left"));
        c.add(bad("cutover-report-ack trailing bytes", trailing(CUTOVER_REPORT_ACK),
                "frame CUTOVER_REPORT_ACK has 1 trailing bytes"));
    }

    private static void hashes(List<Corruption> c) {
        for (byte[] frame : List.of(HASH_REQUEST, HASH_RESPONSE)) {
            String name = frame == HASH_REQUEST ? "hash-request " : "hash-response ";
            c.add(bad(name + "requestId negative", patch(frame, 6, "ffffffffffffffff"),
                    "invalid requestId: -1 (expected: 0-9223372036854775807)"));
            c.add(bad(name + "volume 256", patch(frame, 14, "0100"), "invalid volume: 256 (expected: 0-255)"));
            c.add(bad(name + "offset negative", patch(frame, 16, "ffffffffffffffff"),
                    "invalid offset: -1 (expected: 0-1125899906842623)"));
            c.add(bad(name + "offset at 1 PiB", patch(frame, 16, "0004000000000000"),
                    "invalid offset: 1125899906842624 (expected: 0-1125899906842623)"));
            c.add(bad(name + "chunkSizeBytes not a power of two", patch(frame, 24, "00003000"),
                    "invalid chunkSizeBytes: 12288 (expected: a power of two)"));
            c.add(bad(name + "chunkSizeBytes too small", patch(frame, 24, "00000800"),
                    "invalid chunkSizeBytes: 2048 (expected: 4096-1048576)"));
            c.add(bad(name + "chunkSizeBytes too big", patch(frame, 24, "00200000"),
                    "invalid chunkSizeBytes: 2097152 (expected: 4096-1048576)"));
            c.add(bad(name + "count 0", patch(frame, 28, "00000000"), "invalid count: 0 (expected: 1-4096)"));
            c.add(bad(name + "count MAX_CHUNKS+1", patch(frame, 28, "00001001"),
                    "invalid count: 4097 (expected: 1-4096)"));
        }
        c.add(bad("hash-request count negative", patch(HASH_REQUEST, 28, "ffffffff"),
                "invalid count: -1 (expected: 1-4096)"));
        c.add(bad("hash-request truncated", truncated(HASH_REQUEST, 25),
                "truncated frame: hash-request body needs 26 bytes, 25 left"));
        c.add(bad("hash-request trailing bytes", trailing(HASH_REQUEST), "frame HASH_REQUEST has 1 trailing bytes"));
        c.add(bad("hash-response count 2^32-1", patch(HASH_RESPONSE, 28, "ffffffff"),
                "invalid count: 4294967295 (expected: 1-4096)"));
        c.add(bad("hash-response header truncated", truncated(HASH_RESPONSE, 25),
                "truncated frame: hash-response header needs 26 bytes, 25 left"));
        c.add(bad("hash-response hash bytes short", truncated(HASH_RESPONSE, 26 + 63),
                "invalid hash bytes: 63 (expected: 64-64)"));
        c.add(bad("hash-response count above the hashes present", patch(HASH_RESPONSE, 28, "00000003"),
                "invalid hash bytes: 64 (expected: 96-96)"));
        c.add(bad("hash-response trailing bytes", trailing(HASH_RESPONSE), "invalid hash bytes: 65 (expected: 64-64)"));
    }

    private static void error(List<Corruption> c) {
        c.add(bad("error code truncated", Hex.frame(9, "00"), "truncated frame: error code needs 2 bytes, 1 left"));
        c.add(bad("error message length missing", Hex.frame(9, "0001"),
                "truncated frame: error message length needs 2 bytes, 0 left"));
        c.add(bad("error message length past the bytes left", patch(ERROR, 8, "000a"),
                "invalid error message length: 10 (expected: 0-9)"));
        c.add(bad("error message too long", Hex.frame(9, "0001", "0401", repeat('a', 1025)),
                "invalid error message length: 1025 (expected: 0-1024)"));
        c.add(bad("error message not UTF-8", Hex.frame(9, "0001", "0002", "c328"),
                "invalid error message: 2 bytes that are not well-formed UTF-8"));
        c.add(bad("error trailing bytes", trailing(ERROR), "frame ERROR has 1 trailing bytes"));
        c.add(bad("heartbeat trailing bytes", trailing(GoldenFrames.HEARTBEAT), "frame HEARTBEAT has 1 trailing bytes"));
    }

    private static Corruption bad(String field, byte[] bytes, String message) {
        return new Corruption(field, bytes, ErrorCode.MALFORMED_FRAME, message);
    }

    /** A string field: u16 length and UTF-8, as hex. */
    static String str(String s) {
        return String.format("%04x", Hex.utf8Bytes(s).length) + Hex.utf8(s);
    }

    static String volume(String name, String sizeBytes, String blockSizeBytes) {
        return name + sizeBytes + blockSizeBytes;
    }

    /** A Hello frame with the golden fields except the source id, volume count and volumes given. */
    static byte[] hello(String sourceId, String count, String... volumes) {
        List<String> body = new ArrayList<>(List.of(MAGIC, "0002", "0002", "0000000000000003", sourceId, count));
        body.addAll(Arrays.asList(volumes));
        return Hex.frame(FrameType.HELLO.code(), body.toArray(String[]::new));
    }

    private static byte[] helloWithName(String name) {
        return hello(str("src-1"), "0001", volume(name, "0000000000100000", "00001000"));
    }

    /** A copy of {@code frame} with the bytes at {@code offset} replaced by {@code hex}, resealed. */
    static byte[] patch(byte[] frame, int offset, String hex) {
        return Hex.seal(Hex.patch(Hex.unseal(frame), offset, hex));
    }

    /** {@code frame} with only the first {@code bodyBytes} of its body, resealed. */
    static byte[] truncated(byte[] frame, int bodyBytes) {
        return Hex.seal(Arrays.copyOf(frame, FrameEnvelope.HEADER_LENGTH + bodyBytes));
    }

    /** {@code frame} with one zero byte appended to its body, resealed. */
    static byte[] trailing(byte[] frame) {
        byte[] unsealed = Hex.unseal(frame);
        return Hex.seal(Arrays.copyOf(unsealed, unsealed.length + 1));
    }
}
