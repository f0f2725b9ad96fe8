package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.block.BlockDecoder;
import io.replicator.protocol.wire.GoldenFrames.Golden;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every frame type against its bytes on the wire, written field by field in {@link GoldenFrames}. */
@ExtendWith(NettyLeakExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FrameCodecGoldenBytesTest {
    private final TrackingAllocator alloc = new TrackingAllocator();
    private final CodecChannel codec = new CodecChannel(alloc);

    static List<Golden> goldens() {
        return GoldenFrames.all();
    }

    @AfterEach
    void releaseEverything() {
        codec.close();
        alloc.assertAllReleased();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    @Timeout(10)
    void shouldEncodeFrameToGoldenBytes(Golden golden) {
        Frame frame = golden.frame().get();
        byte[] encoded = codec.encode(frame);
        assertEquals(Hex.hex(golden.bytes()), Hex.hex(encoded));
        if (frame instanceof BlockFrame block && block.encoding() != Encoding.ZERO) {
            assertEquals(0, block.refCnt(), "the encoder did not release the block frame");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    @Timeout(10)
    void shouldDecodeGoldenBytesFromHeapBuffer(Golden golden) {
        assertDecodesToGolden(golden, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    @Timeout(10)
    void shouldDecodeGoldenBytesFromDirectBuffer(Golden golden) {
        assertDecodesToGolden(golden, true);
    }

    @Test
    @Timeout(10)
    void shouldDecodeAllGoldenFramesFromOneBuffer() {
        List<Golden> goldens = GoldenFrames.all();
        byte[] stream = goldens.stream().map(Golden::bytes)
                .reduce(new byte[0], (a, b) -> {
                    byte[] c = Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, c, a.length, b.length);
                    return c;
                });
        List<Frame> decoded = codec.decode(stream, true);
        try {
            assertEquals(goldens.size(), decoded.size());
            for (int i = 0; i < goldens.size(); i++) {
                Frame expected = goldens.get(i).frame().get();
                try {
                    assertEquals(expected, decoded.get(i), goldens.get(i).name());
                } finally {
                    ReferenceCountUtil.release(expected);
                }
            }
        } finally {
            CodecChannel.releaseAll(decoded);
        }
    }

    @Test
    @Timeout(10)
    void shouldDecodeGoldenLz4BlockToItsPlainBytes() {
        List<Frame> decoded = codec.decode(GoldenFrames.BLOCK_LZ4, false);
        try {
            BlockFrame block = (BlockFrame) decoded.get(0);
            ByteBuffer plain = new BlockDecoder().decode(block, ByteBuffer.allocate(block.length()));
            byte[] expected = new byte[64];
            Arrays.fill(expected, (byte) 'a');
            byte[] actual = new byte[plain.remaining()];
            plain.get(actual);
            assertArrayEquals(expected, actual);
        } finally {
            CodecChannel.releaseAll(decoded);
        }
    }

    @Test
    @Timeout(10)
    void shouldDecodeUnknownErrorCodeAsUnknown() {
        byte[] bytes = Corruptions.patch(GoldenFrames.ERROR, 6, "ffff");
        List<Frame> decoded = codec.decode(bytes, false);
        assertEquals(List.of(new ErrorFrame(ErrorCode.UNKNOWN, "seq 5 < 7")), decoded);
    }

    private void assertDecodesToGolden(Golden golden, boolean direct) {
        Frame expected = golden.frame().get();
        List<Frame> decoded = codec.decode(golden.bytes(), direct);
        try {
            assertEquals(List.of(expected), decoded);
            assertEquals(expected.hashCode(), decoded.get(0).hashCode());
        } finally {
            ReferenceCountUtil.release(expected);
            CodecChannel.releaseAll(decoded);
        }
    }
}
