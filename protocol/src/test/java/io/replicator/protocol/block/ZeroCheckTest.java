package io.replicator.protocol.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.VolumeInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link ZeroCheck} on every length, a single non-zero byte anywhere, heap and direct buffers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZeroCheckTest {
    private static final int MAX = VolumeInfo.MAX_BLOCK_SIZE;
    private static final int[] LENGTHS = {1, 2, 4096, 4097, MAX - 1, MAX, MAX + 1, 2 * MAX, 3 * MAX + 17};

    static List<Arguments> buffers() {
        List<Arguments> args = new ArrayList<>();
        for (int length : LENGTHS) {
            args.add(Arguments.of(length, false));
            args.add(Arguments.of(length, true));
        }
        return args;
    }

    @ParameterizedTest(name = "{0} bytes, direct {1}")
    @MethodSource("buffers")
    @Timeout(10)
    void shouldFindASingleNonZeroByteAtTheFirstMiddleAndLastPosition(int length, boolean direct) {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
        assertTrue(ZeroCheck.isAllZero(buf));
        for (int pos : new int[] {0, length / 2, length - 1, Math.min(length - 1, MAX), Math.max(0, length - MAX)}) {
            buf.put(pos, (byte) 0x80);
            assertFalse(ZeroCheck.isAllZero(buf), "non-zero byte at " + pos + " of " + length);
            assertEquals(0, buf.position());
            buf.put(pos, (byte) 0);
        }
        assertTrue(ZeroCheck.isAllZero(buf));
    }

    @ParameterizedTest(name = "{0} bytes, direct {1}")
    @MethodSource("buffers")
    @Timeout(10)
    void shouldFillEveryByteBetweenPositionAndLimit(int length, boolean direct) {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(length + 2) : ByteBuffer.allocate(length + 2);
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, (byte) 0x5a);
        }
        buf.position(1).limit(length + 1);
        ZeroCheck.fillZero(buf);
        assertEquals(1, buf.position());
        assertEquals(length + 1, buf.limit());
        assertTrue(ZeroCheck.isAllZero(buf));
        buf.clear();
        assertEquals(0x5a, buf.get(0), "wrote before the position");
        assertEquals(0x5a, buf.get(length + 1), "wrote past the limit");
    }

    @Test
    void shouldLookOnlyBetweenPositionAndLimit() {
        ByteBuffer buf = ByteBuffer.allocate(100);
        buf.put(0, (byte) 1).put(99, (byte) 1);
        buf.position(1).limit(99);
        assertTrue(ZeroCheck.isAllZero(buf));
        assertTrue(ZeroCheck.isAllZero(buf.slice(0, 0)), "an empty range is all zero");
    }
}
