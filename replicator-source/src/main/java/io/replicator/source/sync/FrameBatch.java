package io.replicator.source.sync;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameEncoder;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Block frames the agent wrote and has not yet handed to the link, encoded on the agent's thread
 * (envelope, payload copied in, CRC32C trailer) into one buffer, which is handed to the channel's
 * event loop as one task when flushed: the loop writes that buffer and flushes once. A frame
 * written as an object would cost the loop its encoder's work, a header and a trailer buffer and
 * three entries of the outbound buffer, a cost per 4 KiB block under small random writes; copying
 * its payload once costs far less. The bytes handed over and not yet taken by the channel count in
 * {@link #queuedBytes} until the loop runs the task, so that the session's writability still
 * bounds what waits for the socket. Not thread-safe: {@link #add} and {@link #flush} belong to the
 * sync agent's thread; {@link #queuedBytes} may be read by any.
 */
final class FrameBatch {
    /** What a batch's buffer starts with: a flush's worth and the largest frame, so that it never grows. */
    private static final int INITIAL_BYTES = TargetSession.FLUSH_BYTES + BlockFrame.HEADER_LENGTH
            + BlockFrame.MAX_PAYLOAD_LENGTH + 64;

    private final AtomicLong queuedBytes = new AtomicLong();
    private final CRC32C crc = new CRC32C();
    /** The frames encoded so far; null when none is. */
    private ByteBuf encoded;

    /** Encodes {@code frame} at the end of the batch, in a buffer of {@code alloc}, and releases it. */
    void add(Frame frame, ByteBufAllocator alloc) {
        try {
            if (encoded == null) {
                encoded = alloc.directBuffer(INITIAL_BYTES);
            }
            FrameEncoder.encode(frame, encoded, crc);
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    boolean isEmpty() {
        return encoded == null;
    }

    /** Bytes handed to the event loop that it has not yet written into the channel. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /**
     * Hands the batch to {@code channel}'s event loop, which writes it and flushes; on the loop's own
     * thread (an in-memory channel in tests) it does so at once. A batch the channel can no longer
     * take (it closed) is released by the channel. Null {@code channel}: the link is gone, and the
     * batch is released here.
     */
    void flush(Channel channel) {
        ByteBuf batch = encoded;
        if (batch == null) {
            return;
        }
        encoded = null;
        if (channel == null) {
            batch.release();
            return;
        }
        if (channel.eventLoop().inEventLoop()) {
            channel.writeAndFlush(batch, channel.voidPromise());
            return;
        }
        long bytes = batch.readableBytes();
        queuedBytes.addAndGet(bytes);
        try {
            channel.eventLoop().execute(() -> {
                channel.writeAndFlush(batch, channel.voidPromise());
                queuedBytes.addAndGet(-bytes);
            });
        } catch (RejectedExecutionException e) {
            // the link is shutting down: nothing will be written any more
            queuedBytes.addAndGet(-bytes);
            batch.release();
        }
    }
}
