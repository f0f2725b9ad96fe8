package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames arriving split in chunks of random size, as TCP delivers them, come out whole and in order;
 * when one of them had a bit flipped on the way, those before it come out and nothing from it or
 * after it does.
 */
@ExtendWith(NettyLeakExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameDecoderSplitTest {
    private static final int FRAMES = 300;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 0x5EEDL})
    @Timeout(30)
    void shouldDecodeStreamSplitInChunksOfRandomSize(long seed) {
        assertSplitStream(seed, false);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 0x5EEDL})
    @Timeout(30)
    void shouldDeliverTheFramesBeforeACorruptedOneAndNothingFromItWhenSplitInRandomChunks(long seed) {
        assertSplitStream(seed, true);
    }

    /**
     * Encodes random frames into one stream, with one bit flipped in one of them when {@code
     * corrupt}, feeds it in chunks of random size and checks what comes out: every frame, or those
     * before the corrupted one and a refusal with {@code BAD_CHECKSUM}.
     */
    private static void assertSplitStream(long seed, boolean corrupt) {
        Random random = new Random(seed);
        RandomFrames frames = new RandomFrames(random, 64 * 1024);
        TrackingAllocator alloc = new TrackingAllocator();
        List<Frame> expected = new ArrayList<>();
        List<Frame> actual = new ArrayList<>();
        try (CodecChannel encoder = new CodecChannel(alloc); CodecChannel decoder = new CodecChannel(alloc)) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            int corrupted = corrupt ? random.nextInt(FRAMES) : -1;
            for (int i = 0; i < FRAMES; i++) {
                Frame frame = frames.next();
                byte[] bytes = encoder.encode(retainedCopy(frame));
                if (i == corrupted) {
                    bytes = flipOneBit(bytes, random);
                    System.out.printf("seed %d: frame #%d %s, one bit flipped%n", seed, i, frame.type());
                }
                if (corrupted < 0 || i < corrupted) {
                    expected.add(frame);
                } else {
                    ReferenceCountUtil.release(frame);
                }
                stream.writeBytes(bytes);
            }
            if (!corrupt && random.nextBoolean()) {
                // One frame of the largest size so the cumulation has to grow past a block.
                Frame big = new RandomFrames(random, 1 << 20).next();
                expected.add(big);
                stream.writeBytes(encoder.encode(retainedCopy(big)));
            }
            ProtocolException refused = feedInChunks(decoder, alloc, stream.toByteArray(), random, actual);
            if (corrupt) {
                assertNotNull(refused, "the corrupted frame was not refused, seed=" + seed);
                assertEquals(ErrorCode.BAD_CHECKSUM, refused.code(), refused.getMessage());
            } else {
                assertNull(refused, "seed=" + seed);
            }
            assertEquals(expected.size(), actual.size(), "frames out, seed=" + seed);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), actual.get(i), "frame #" + i + ", seed=" + seed);
            }
        } finally {
            expected.forEach(ReferenceCountUtil::release);
            actual.forEach(ReferenceCountUtil::release);
        }
        alloc.assertAllReleased();
    }

    /** {@code frame} with one bit flipped after its length field: in its type, flags (not CHECKSUM), body or trailer. */
    private static byte[] flipOneBit(byte[] frame, Random random) {
        int offset = FrameEnvelope.TYPE_OFFSET + random.nextInt(frame.length - FrameEnvelope.TYPE_OFFSET);
        int bit = offset == FrameEnvelope.FLAGS_OFFSET ? 1 + random.nextInt(7) : random.nextInt(8);
        return Hex.flip(frame, offset, bit);
    }

    /**
     * Feeds {@code bytes} to {@code decoder} in chunks of random size, alternately heap and direct,
     * adding the frames that come out to {@code out}; returns the decoder's refusal, if any.
     */
    private static ProtocolException feedInChunks(CodecChannel decoder, TrackingAllocator alloc, byte[] bytes,
                                                  Random random, List<Frame> out) {
        ProtocolException refused = null;
        for (int pos = 0; pos < bytes.length; ) {
            int chunk = Math.min(bytes.length - pos, chunkSize(random));
            ByteBuf in = random.nextBoolean() ? alloc.directBuffer(chunk) : alloc.heapBuffer(chunk);
            try {
                decoder.channel().writeInbound(in.writeBytes(bytes, pos, chunk));
            } catch (DecoderException e) {
                assertNull(refused, "refused twice");
                refused = assertInstanceOf(ProtocolException.class, e.getCause());
            }
            out.addAll(decoder.readFrames());
            pos += chunk;
        }
        return refused;
    }

    /** What to hand the encoder, which releases it, while the test keeps {@code frame}. */
    static Frame retainedCopy(Frame frame) {
        return frame instanceof BlockFrame b ? b.replace(b.payload().retainedDuplicate()) : frame;
    }

    private static int chunkSize(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 1 + random.nextInt(8);
            case 1 -> 1 + random.nextInt(64);
            case 2 -> 1 + random.nextInt(4096);
            default -> 1 + random.nextInt(256 * 1024);
        };
    }
}
