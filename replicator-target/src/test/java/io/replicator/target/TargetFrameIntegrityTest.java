package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.FrameEnvelope;
import io.replicator.protocol.wire.FrameType;
import io.replicator.protocol.wire.ProtocolVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the receiver does with frames that fail the envelope's checks on a real socket: a block
 * frame with a bit of its header flipped on the way is refused with {@code BAD_CHECKSUM} and
 * nothing of it reaches the volume; the HELLO of a v1 source is refused with both version ranges,
 * in the v1 envelope that source reads, and logged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetFrameIntegrityTest {
    /** Where the corrupted frame's block goes; a flip of offset bit 16 would move it 16 blocks on. */
    private static final long OFFSET = 8L * BLOCK;

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0} byte {1} bit {2}")
    @CsvSource({
        "volume, 7, 0",
        "encoding, 8, 1",
        "sequence, 17, 5",
        "sequence (high), 12, 0",
        "offset, 23, 0",
        "offset (low), 24, 4",
        "length, 28, 1",
        "crc32c, 31, 6",
        "payloadLength, 36, 0",
        "trailer, -2, 3"})
    void shouldRefuseABlockFrameWithAHeaderBitFlippedAndWriteNothingOfIt(String field, int byteInFrame, int bit)
            throws Exception {
        byte[] plain = TargetFixture.random(2, BLOCK);
        try (TargetFixture target = new TargetFixture(dataDir)) {
            try (TestSource source = target.connect()) {
                source.hello("web1", DISK0);
                source.send(target.block(0, 1, 0, TargetFixture.random(1, BLOCK)));
                source.awaitAck(1);
                byte[] frame = TestSource.encode(target.block(0, 2, OFFSET, plain));
                int at = byteInFrame < 0 ? frame.length + byteInFrame : byteInFrame;
                frame[at] ^= (byte) (1 << bit);
                source.sendBytes(frame);
                ErrorFrame error = source.expectError(ErrorCode.BAD_CHECKSUM);
                assertTrue(error.message().startsWith("bad checksum: BLOCK frame of " + frame.length + " bytes has CRC32C 0x"),
                        error.message());
            }
            assertEquals(1.0, target.meters.get(TargetMetrics.ERRORS).tag("code", "BAD_CHECKSUM").counter().count());
            byte[] image = Files.readAllBytes(target.image("web1", "disk0"));
            for (long blockOffset = BLOCK; blockOffset < TargetFixture.SIZE; blockOffset += BLOCK) {
                int end = (int) Math.min(TargetFixture.SIZE, blockOffset + BLOCK);
                assertArrayEquals(new byte[end - (int) blockOffset],
                        java.util.Arrays.copyOfRange(image, (int) blockOffset, end),
                        "the refused frame wrote at " + blockOffset);
            }
            while (target.server.status().sources().get(0).connected()) {
                Thread.sleep(10); // the receiver lets the refused connection go: until then it refuses another
            }
            try (TestSource source = target.connect()) {
                assertEquals(1, source.hello("web1", DISK0).durableSequence(), "the refused frame was not taken");
                source.send(target.block(0, 2, OFFSET, plain));
                assertEquals(2, source.awaitAck(2).durableSequence());
            }
            try (FileChannel ch = FileChannel.open(target.image("web1", "disk0"))) {
                ByteBuffer written = ByteBuffer.allocate(BLOCK);
                ch.read(written, OFFSET);
                assertArrayEquals(plain, written.array(), "the frame sent again intact is applied");
            }
        }
    }

    @Test
    void shouldRefuseTheHelloOfAV1SourceWithBothRangesInTheV1EnvelopeAndLogIt() throws IOException {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        byte[] reply;
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.sendBytes(v1Hello("web1"));
            reply = source.readBytes();
            source.expectClosed();
            assertEquals(1.0, target.meters.get(TargetMetrics.ERRORS).tag("code", "UNSUPPORTED_VERSION").counter()
                    .count());
        } finally {
            System.setErr(original);
        }
        original.print(captured.toString(StandardCharsets.UTF_8));
        assertEquals(FrameType.ERROR.code(), reply[FrameEnvelope.TYPE_OFFSET]);
        assertEquals(0, reply[FrameEnvelope.FLAGS_OFFSET], "flags as v1 wants them: no trailer follows");
        // The body runs to the frame's end: a trailer after it would be trailing bytes to v1's decoder.
        ErrorFrame error = ErrorFrame.decode(Unpooled.wrappedBuffer(reply).skipBytes(FrameEnvelope.HEADER_LENGTH));
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, error.code());
        String ranges = String.format("I support %d-%d, peer supports 1-1", ProtocolVersion.MIN_SUPPORTED,
                ProtocolVersion.MAX_SUPPORTED);
        assertTrue(error.message().contains(ranges), error.message());
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("UNSUPPORTED_VERSION") && log.contains(ranges), log);
        assertFalse(Files.exists(dataDir.resolve("web1")), "nothing opened for a refused source");
    }

    /** The HELLO a v1 source sends for {@code sourceId} with {@link TargetFixture#DISK0}, byte for byte. */
    private static byte[] v1Hello(String sourceId) {
        byte[] id = sourceId.getBytes(StandardCharsets.UTF_8);
        byte[] name = DISK0.name().getBytes(StandardCharsets.UTF_8);
        int body = 4 + 2 + 2 + 8 + 2 + id.length + 2 + 2 + name.length + 8 + 4;
        return ByteBuffer.allocate(FrameEnvelope.HEADER_LENGTH + body)
                .putInt(2 + body)              // length: type, flags and body; v1 has no trailer
                .put((byte) 1)                 // type HELLO
                .put((byte) 0)                 // flags: none in v1
                .putInt(0x52504C43)            // magic "RPLC"
                .putShort((short) 1)           // minVersion 1
                .putShort((short) 1)           // maxVersion 1
                .putLong(ProtocolVersion.SUPPORTED_FEATURES) // features
                .putShort((short) id.length).put(id) // source id
                .putShort((short) 1)           // one volume
                .putShort((short) name.length).put(name) // its name
                .putLong(DISK0.sizeBytes())    // its size
                .putInt(DISK0.blockSizeBytes()) // its block size
                .array();
    }
}
