package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A v1 peer (frames with flags 0 and no trailer) meets this v2 codec: its first frame is refused
 * with {@code UNSUPPORTED_VERSION} naming both ranges, and the refusal goes out in the v1 envelope,
 * which the v1 peer reads. A v1 receiver's error frame, its answer to our HELLO, is quoted.
 */
@ExtendWith(NettyLeakExtension.class)
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FrameCodecV1PeerTest {
    private final TrackingAllocator alloc = new TrackingAllocator();
    private final CodecChannel codec = new CodecChannel(alloc);

    @AfterEach
    void releaseEverything() {
        codec.close();
        alloc.assertAllReleased();
    }

    @Test
    void shouldRefuseTheHelloOfAV1SourceNamingBothRanges() {
        ProtocolException e = codec.decodeFailure(GoldenFrames.V1_HELLO, false);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertEquals("no common protocol version: I support 2-2, peer supports 1-1 (its first frame, HELLO, has no "
                + "checksum trailer: protocol v1)", e.getMessage());
        assertEquals(false, e.retriable());
    }

    @Test
    void shouldAnswerAV1PeerInTheV1Envelope() {
        codec.decodeFailure(GoldenFrames.V1_HELLO, true);
        byte[] sent = codec.encode(new ErrorFrame(ErrorCode.UNSUPPORTED_VERSION, "I support 2-2"));
        assertEquals(Hex.hex(Hex.bytes(
                "00000013",         // @0  length 19: type, flags and a 17-byte body, no trailer
                "09",               // @4  type ERROR
                "00",               // @5  flags: none, as v1 wants them
                "0002",             // @6  code 2 UNSUPPORTED_VERSION
                "000d",             // @8  message length 13
                Hex.utf8("I support 2-2"))), Hex.hex(sent));
    }

    @Test
    void shouldAnswerAV2PeerWithTheTrailer() {
        assertEquals(1, codec.decode(GoldenFrames.ACK, false).size());
        assertEquals(Hex.hex(GoldenFrames.ERROR), Hex.hex(codec.encode(new ErrorFrame(ErrorCode.BAD_SEQUENCE,
                "seq 5 < 7"))));
    }

    @Test
    void shouldQuoteAV1ReceiversRefusalOfOurHello() {
        String why = "invalid flags: 1 (expected: 0-0)";
        byte[] v1Error = Hex.bytes(
                "00000026",         // @0  length 38: type, flags and a 36-byte body
                "09",               // @4  type ERROR
                "00",               // @5  flags
                "0001",             // @6  code 1 MALFORMED_FRAME
                "0020",             // @8  message length 32
                Hex.utf8(why));     // @10 message
        ProtocolException e = codec.decodeFailure(v1Error, false);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertEquals("no common protocol version: I support 2-2, peer supports 1-1 (its first frame, ERROR, has no "
                + "checksum trailer: protocol v1); it said: MALFORMED_FRAME " + why, e.getMessage());
    }

    @Test
    void shouldSayWhenAV1ErrorFrameDoesNotDecode() {
        ProtocolException e = codec.decodeFailure(Hex.bytes("00000003", "09", "00", "01"), true);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, e.code());
        assertTrue(e.getMessage().endsWith("; its error frame does not decode: truncated frame: error code needs 2 "
                + "bytes, 1 left"), e.getMessage());
    }
}
