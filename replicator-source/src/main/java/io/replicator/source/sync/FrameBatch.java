package io.replicator.source.sync;

import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.wire.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Block frames the agent wrote and has not yet handed to the link, handed to the channel's event
 * loop as one task when flushed: the loop writes them all and flushes once. Writing each frame from
 * the agent's thread would make each a task of its own on the event loop (queued, run, recycled),
 * a cost per 4 KiB block under small random writes. The bytes handed over and not yet taken by the
 * channel count in {@link #queuedBytes} until the loop runs the task, so that the session's
 * writability still bounds what waits for the socket. Not thread-safe: {@link #add} and
 * {@link #flush} belong to the sync agent's thread; {@link #queuedBytes} may be read by any.
 */
final class FrameBatch {
    private final List<Frame> frames = new ArrayList<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private long batchBytes;

    /** Adds {@code frame} of about {@code bytes} on the wire to the batch. */
    void add(Frame frame, long bytes) {
        frames.add(frame);
        batchBytes += bytes;
    }

    boolean isEmpty() {
        return frames.isEmpty();
    }

    /** Bytes handed to the event loop that it has not yet written into the channel. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /**
     * Hands the batch to {@code channel}'s event loop, which writes every frame in order and flushes
     * once; on the loop's own thread (an in-memory channel in tests) it does so at once. A frame the
     * channel can no longer take (it closed) is released by the channel. Null {@code channel}: the
     * link is gone, and the frames are released here.
     */
    void flush(Channel channel) {
        if (frames.isEmpty()) {
            return;
        }
        Frame[] batch = frames.toArray(new Frame[0]);
        long bytes = batchBytes;
        frames.clear();
        batchBytes = 0;
        if (channel == null) {
            for (Frame f : batch) {
                ReferenceCountUtil.release(f);
            }
            return;
        }
        if (channel.eventLoop().inEventLoop()) {
            writeAll(channel, batch);
            return;
        }
        queuedBytes.addAndGet(bytes);
        try {
            channel.eventLoop().execute(() -> {
                writeAll(channel, batch);
                queuedBytes.addAndGet(-bytes);
            });
        } catch (RejectedExecutionException e) {
            // the link is shutting down: nothing will be written any more
            queuedBytes.addAndGet(-bytes);
            for (Frame f : batch) {
                ReferenceCountUtil.release(f);
            }
        }
    }

    private static void writeAll(Channel channel, Frame[] batch) {
        for (Frame f : batch) {
            channel.write(f, channel.voidPromise());
        }
        channel.flush();
    }
}
