package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The numbers on the wire never change: every error code, frame type and encoding is asserted by
 * value, so renumbering one fails here. A new constant fails the count until it is added below.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StableCodesTest {

    @Test
    void shouldKeepEveryErrorCodeAndItsRetriableFlag() {
        assertCode(ErrorCode.UNKNOWN, 0, false);
        assertCode(ErrorCode.MALFORMED_FRAME, 1, false);
        assertCode(ErrorCode.UNSUPPORTED_VERSION, 2, false);
        assertCode(ErrorCode.UNKNOWN_VOLUME, 3, false);
        assertCode(ErrorCode.OUT_OF_RANGE, 4, false);
        assertCode(ErrorCode.BAD_CHECKSUM, 5, false);
        assertCode(ErrorCode.UNEXPECTED_FRAME, 6, false);
        assertCode(ErrorCode.VOLUME_UNAVAILABLE, 7, false);
        assertCode(ErrorCode.IO_ERROR, 8, true);
        assertCode(ErrorCode.SHUTTING_DOWN, 9, true);
        assertCode(ErrorCode.ALREADY_CONNECTED, 10, true);
        assertCode(ErrorCode.BAD_SEQUENCE, 11, false);
        assertCode(ErrorCode.NOT_AUTHORIZED, 12, false);
        assertCode(ErrorCode.REVOKED, 13, false);
        assertCode(ErrorCode.TIMED_OUT, 14, true);
        assertCode(ErrorCode.CUT_OVER, 15, false);
        assertEquals(16, ErrorCode.values().length, "a new error code needs its line above");
    }

    @Test
    void shouldRoundTripEveryErrorCode() {
        for (ErrorCode code : ErrorCode.values()) {
            assertSame(code, ErrorCode.forCode(code.code()));
        }
    }

    @Test
    void shouldMapUnknownNumbersToUnknown() {
        for (int n : new int[] {-1, 16, 255, 65535, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertSame(ErrorCode.UNKNOWN, ErrorCode.forCode(n), "code " + n);
        }
    }

    @Test
    void shouldKeepEveryFrameType() {
        assertEquals(1, FrameType.HELLO.code());
        assertEquals(2, FrameType.HELLO_ACK.code());
        assertEquals(3, FrameType.BLOCK.code());
        assertEquals(4, FrameType.ACK.code());
        assertEquals(5, FrameType.BARRIER.code());
        assertEquals(6, FrameType.BARRIER_ACK.code());
        assertEquals(7, FrameType.HASH_REQUEST.code());
        assertEquals(8, FrameType.HASH_RESPONSE.code());
        assertEquals(9, FrameType.ERROR.code());
        assertEquals(10, FrameType.HEARTBEAT.code());
        assertEquals(11, FrameType.CUTOVER_REPORT.code());
        assertEquals(12, FrameType.CUTOVER_REPORT_ACK.code());
        assertEquals(13, FrameType.CHECKPOINT.code());
        assertEquals(14, FrameType.CHECKPOINT_ACK.code());
        assertEquals(14, FrameType.values().length, "a new frame type needs its line above");
        for (FrameType t : FrameType.values()) {
            assertSame(t, FrameType.forCode(t.code()));
        }
        assertEquals("invalid frame type: 0 (expected: 1-14)",
                assertThrows(ProtocolException.class, () -> FrameType.forCode(0)).getMessage());
    }

    @Test
    void shouldKeepEveryEncoding() {
        assertEquals(0, Encoding.RAW.code());
        assertEquals(1, Encoding.LZ4.code());
        assertEquals(2, Encoding.ZERO.code());
        assertEquals(3, Encoding.values().length, "a new encoding needs its line above");
        for (Encoding e : Encoding.values()) {
            assertSame(e, Encoding.forCode(e.code()));
        }
    }

    @Test
    void shouldKeepWireBounds() {
        assertEquals(6, FrameEnvelope.HEADER_LENGTH);
        assertEquals(4, FrameEnvelope.TYPE_OFFSET);
        assertEquals(5, FrameEnvelope.FLAGS_OFFSET);
        assertEquals(4, FrameEnvelope.TRAILER_LENGTH);
        assertEquals(0x01, FrameEnvelope.FLAG_CHECKSUM);
        assertEquals(2, FrameEnvelope.CHECKSUM_SINCE_VERSION);
        assertEquals(2, FrameEnvelope.MIN_LENGTH);
        assertEquals(6, FrameEnvelope.MIN_CHECKSUMMED_LENGTH);
        assertEquals(1_052_704, BlockFrame.MAX_PAYLOAD_LENGTH);
        assertEquals(1_052_742, FrameEnvelope.MAX_LENGTH);
        assertEquals(32, BlockFrame.HEADER_LENGTH);
        assertEquals(4096, HashRequest.MAX_CHUNKS);
        assertEquals(256, Hello.MAX_VOLUMES);
        assertEquals(128, Hello.MAX_SOURCE_ID_BYTES);
        assertEquals(128, VolumeInfo.MAX_NAME_BYTES);
        assertEquals(1024, ErrorFrame.MAX_MESSAGE_BYTES);
    }

    @Test
    void shouldTruncateLongErrorMessagesToTheBoundOnACharacterBoundary() {
        String emoji = "\uD83D\uDE00";
        for (String message : new String[] {"a".repeat(2000), "é".repeat(2000), "€".repeat(2000), emoji.repeat(1000),
                "aa" + emoji.repeat(1000)}) {
            ErrorFrame frame = new ErrorFrame(ErrorCode.IO_ERROR, message);
            int bytes = frame.message().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            String start = message.substring(0, 4);
            assertTrue(bytes <= ErrorFrame.MAX_MESSAGE_BYTES, start + ": " + bytes);
            assertTrue(bytes > ErrorFrame.MAX_MESSAGE_BYTES - 8, start + ": only " + bytes + " bytes kept");
            assertTrue(frame.message().endsWith("..."), start);
            assertTrue(message.startsWith(frame.message().substring(0, frame.message().length() - 3)), start);
            assertFalse(frame.message().contains("\uFFFD"), "a character was cut in half: " + start);
        }
    }

    private static void assertCode(ErrorCode code, int number, boolean retriable) {
        assertEquals(number, code.code(), code.name());
        assertEquals(retriable, code.retriable(), code.name());
        assertEquals(retriable, new ProtocolException(code, "x").retriable(), code.name());
    }
}
