package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An unpooled allocator that remembers every buffer it hands out, so that a test can assert that
 * each one was released ({@code refCnt() == 0}) and that no single allocation exceeded a bound.
 * Buffers still go through Netty's leak detector. Not thread-safe: one per test, used from the
 * test thread (an {@code EmbeddedChannel} runs its handlers there).
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> buffers = new ArrayList<>();
    private int largestCapacityBytes;

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return remember(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return remember(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private ByteBuf remember(ByteBuf buf) {
        buffers.add(buf);
        largestCapacityBytes = Math.max(largestCapacityBytes, buf.capacity());
        return buf;
    }

    /** How many buffers this allocator handed out. */
    public int allocations() {
        return buffers.size();
    }

    /** The largest capacity any one allocation asked for. */
    public int largestCapacityBytes() {
        return largestCapacityBytes;
    }

    /** Fails naming the first buffer that is still referenced. */
    public void assertAllReleased() {
        for (int i = 0; i < buffers.size(); i++) {
            ByteBuf buf = buffers.get(i);
            assertEquals(0, buf.refCnt(), "buffer #" + i + " of " + buffers.size() + " not released: " + buf);
        }
    }
}
