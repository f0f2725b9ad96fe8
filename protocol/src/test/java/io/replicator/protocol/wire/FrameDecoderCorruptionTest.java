package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.replicator.protocol.wire.Corruptions.Corruption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One test per corrupted field: the decoder raises a {@code DecoderException} caused by a {@link
 * ProtocolException} with the right code and a message naming the field, the value and the bound;
 * no frame comes out, every buffer is released, and everything after the failure is discarded.
 */
@ExtendWith(NettyLeakExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameDecoderCorruptionTest {

    static List<Corruption> corruptions() {
        return Corruptions.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    @Timeout(10)
    void shouldRefuseCorruptedFieldAndDiscardWhatFollows(Corruption corruption) {
        for (boolean direct : new boolean[] {false, true}) {
            TrackingAllocator alloc = new TrackingAllocator();
            try (CodecChannel codec = new CodecChannel(alloc)) {
                ProtocolException e = codec.decodeFailure(corruption.bytes(), direct);
                assertEquals(corruption.code(), e.code(), e::getMessage);
                assertTrue(e.getMessage().contains(corruption.message()),
                        () -> "message \"" + e.getMessage() + "\" does not contain \"" + corruption.message() + "\"");

                ByteBuf next = codec.buffer(GoldenFrames.ACK, direct);
                assertFalse(codec.channel().writeInbound(next), "a frame came out after the failure");
                assertEquals(0, next.refCnt(), "input after the failure was not released");
                assertEquals(List.of(), codec.readFrames());
            }
            alloc.assertAllReleased();
        }
    }

    @Test
    void shouldNameEveryCorruptionOnce() {
        List<Corruption> all = Corruptions.all();
        assertEquals(all.size(), all.stream().map(Corruption::field).distinct().count(), "duplicate case names");
    }

    @Test
    void shouldRefuseFrameLengthBeforeTheBodyArrives() {
        TrackingAllocator alloc = new TrackingAllocator();
        try (CodecChannel codec = new CodecChannel(alloc)) {
            // Only the length field: a decoder that waited for 4 GiB of body would not fail here.
            ProtocolException e = codec.decodeFailure(Hex.bytes("ffffffff"), false);
            assertEquals(ErrorCode.MALFORMED_FRAME, e.code());
        }
        alloc.assertAllReleased();
    }

    @Test
    void shouldEmitFramesBeforeTheCorruptOneInTheSameBuffer() {
        TrackingAllocator alloc = new TrackingAllocator();
        try (CodecChannel codec = new CodecChannel(alloc)) {
            byte[] bad = Corruptions.trailing(GoldenFrames.ACK);
            byte[] stream = new byte[GoldenFrames.BARRIER.length + bad.length + GoldenFrames.ACK.length];
            System.arraycopy(GoldenFrames.BARRIER, 0, stream, 0, GoldenFrames.BARRIER.length);
            System.arraycopy(bad, 0, stream, GoldenFrames.BARRIER.length, bad.length);
            System.arraycopy(GoldenFrames.ACK, 0, stream, GoldenFrames.BARRIER.length + bad.length,
                    GoldenFrames.ACK.length);
            ByteBuf in = codec.buffer(stream, false);
            // The Barrier before the corrupt Ack comes out; the good Ack after it does not.
            io.netty.handler.codec.DecoderException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.netty.handler.codec.DecoderException.class, () -> codec.channel().writeInbound(in));
            assertTrue(e.getCause() instanceof ProtocolException, e::toString);
            assertEquals(List.of(new Barrier(7, 41)), codec.readFrames());
            assertEquals(0, in.refCnt());
        }
        alloc.assertAllReleased();
    }
}
