package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
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

/** Frames arriving split in chunks of random size, as TCP delivers them, come out whole and in order. */
@ExtendWith(NettyLeakExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameDecoderSplitTest {
    private static final int FRAMES = 300;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 0x5EEDL})
    @Timeout(30)
    void shouldDecodeStreamSplitInChunksOfRandomSize(long seed) {
        Random random = new Random(seed);
        RandomFrames frames = new RandomFrames(random, 64 * 1024);
        TrackingAllocator alloc = new TrackingAllocator();
        List<Frame> expected = new ArrayList<>();
        List<Frame> actual = new ArrayList<>();
        try (CodecChannel encoder = new CodecChannel(alloc); CodecChannel decoder = new CodecChannel(alloc)) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = 0; i < FRAMES; i++) {
                Frame frame = frames.next();
                expected.add(frame);
                stream.writeBytes(encoder.encode(retainedCopy(frame)));
            }
            if (random.nextBoolean()) {
                // One frame of the largest size so the cumulation has to grow past a block.
                Frame big = new RandomFrames(random, 1 << 20).next();
                expected.add(big);
                stream.writeBytes(encoder.encode(retainedCopy(big)));
            }
            byte[] bytes = stream.toByteArray();
            for (int pos = 0; pos < bytes.length; ) {
                int chunk = Math.min(bytes.length - pos, chunkSize(random));
                ByteBuf in = random.nextBoolean() ? alloc.directBuffer(chunk) : alloc.heapBuffer(chunk);
                decoder.channel().writeInbound(in.writeBytes(bytes, pos, chunk));
                actual.addAll(decoder.readFrames());
                pos += chunk;
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
