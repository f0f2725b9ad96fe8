package io.replicator.source.sync;

import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.wire.Frame;
import java.util.ArrayDeque;

/**
 * Block frames encoded while a checkpoint captures (the file systems frozen), kept in memory in the
 * order they were sequenced until they are written behind the freeze, or freed when the link is lost
 * (their blocks are in flight, so they are read again and resent after the reconnect). At most
 * {@code maxBytes} on the wire: {@link #full} stops the capture. Not thread-safe: the sync agent's
 * thread, through the {@link TargetSession}.
 */
final class HeldFrames {
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private final long maxBytes;
    private long bytes;
    /** No frame is taken any more: what the checkpoint captured is complete. */
    private boolean closed;

    HeldFrames(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    void add(Frame frame, int payloadBytes) {
        if (closed) {
            ReferenceCountUtil.release(frame);
            throw new IllegalStateException("a block frame was sent after the checkpoint's capture was closed");
        }
        frames.add(frame);
        bytes += payloadBytes;
    }

    /** Whether another frame may be taken: not closed and under the bound. */
    boolean hasRoom() {
        return !closed && bytes < maxBytes;
    }

    /** Whether the bound is reached before the capture was complete. */
    boolean full() {
        return bytes >= maxBytes;
    }

    /** Takes no frame any more: nothing read after this point may come before the checkpoint. */
    void close() {
        closed = true;
    }

    long bytes() {
        return bytes;
    }

    int frames() {
        return frames.size();
    }

    long maxBytes() {
        return maxBytes;
    }

    void writeTo(Channel channel) {
        for (Frame f; (f = frames.poll()) != null; ) {
            channel.write(f, channel.voidPromise());
        }
    }

    void release() {
        for (Frame f; (f = frames.poll()) != null; ) {
            ReferenceCountUtil.release(f);
        }
    }
}
