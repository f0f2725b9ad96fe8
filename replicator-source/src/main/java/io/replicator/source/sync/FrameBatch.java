package io.replicator.source.sync;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Block frames the agent wrote and has not yet handed to the link, handed to the channel's event
 * loop as one task when flushed: the loop writes them all in order and flushes once. A small frame
 * (a payload of at most {@value #SMALL_PAYLOAD_BYTES} bytes: a scattered 4 KiB block, a zero run)
 * is encoded on the agent's thread (envelope, payload copied in, CRC32C trailer) into a buffer it
 * shares with the small frames next to it, which the loop writes as one: written as an object it
 * would cost the loop its encoder's work, a header and a trailer buffer and three entries of the
 * outbound buffer, a cost per 4 KiB block under small random writes that far exceeds one copy of
 * its payload. A larger frame (a full copy's) goes as it is, its trailer computed on the loop, so
 * that the agent's thread, the busiest in a full copy, takes no more work per byte. The bytes
 * handed over and not yet taken by the channel count in {@link #queuedBytes} until the loop runs
 * the task, so that the session's writability still bounds what waits for the socket. Not
 * thread-safe: {@link #add} and {@link #flush} belong to the sync agent's thread;
 * {@link #queuedBytes} may be read by any.
 */
final class FrameBatch {
    /** The largest payload of a frame encoded on the agent's thread. */
    static final int SMALL_PAYLOAD_BYTES = 8 << 10;
    /** What a shared buffer starts with: a flush's worth of small frames, so that it never grows. */
    private static final int SHARED_BYTES = TargetSession.FLUSH_BYTES + BlockFrame.HEADER_LENGTH
            + SMALL_PAYLOAD_BYTES + 64;

    private final AtomicLong queuedBytes = new AtomicLong();
    private final CRC32C crc = new CRC32C();
    /** In order: frames as they are and buffers of small frames encoded, the last maybe still {@link #encoding}. */
    private final List<Object> parts = new ArrayList<>();
    /** The buffer small frames are encoded into now, the last of {@link #parts}; null when none is. */
    private ByteBuf encoding;
    private long batchBytes;

    /**
     * Adds {@code frame} of about {@code bytes} on the wire to the batch; a small one is encoded at
     * once, into a buffer of {@code alloc}, and released.
     */
    void add(Frame frame, long bytes, ByteBufAllocator alloc) {
        batchBytes += bytes;
        if (frame instanceof BlockFrame block && block.payload().readableBytes() > SMALL_PAYLOAD_BYTES) {
            parts.add(frame);
            encoding = null;
            return;
        }
        try {
            if (encoding == null) {
                encoding = alloc.directBuffer(SHARED_BYTES);
                parts.add(encoding);
            }
            FrameEncoder.encode(frame, encoding, crc);
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    boolean isEmpty() {
        return parts.isEmpty();
    }

    /** Bytes handed to the event loop that it has not yet written into the channel. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /**
     * Hands the batch to {@code channel}'s event loop, which writes every part in order and flushes
     * once; on the loop's own thread (an in-memory channel in tests) it does so at once. A part the
     * channel can no longer take (it closed) is released by the channel. Null {@code channel}: the
     * link is gone, and the parts are released here.
     */
    void flush(Channel channel) {
        if (parts.isEmpty()) {
            return;
        }
        Object[] batch = parts.toArray();
        long bytes = batchBytes;
        parts.clear();
        encoding = null;
        batchBytes = 0;
        if (channel == null) {
            releaseAll(batch);
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
            releaseAll(batch);
        }
    }

    private static void writeAll(Channel channel, Object[] batch) {
        for (Object part : batch) {
            channel.write(part, channel.voidPromise());
        }
        channel.flush();
    }

    private static void releaseAll(Object[] batch) {
        for (Object part : batch) {
            ReferenceCountUtil.release(part);
        }
    }
}
