package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

/**
 * Writes each frame in its {@link FrameEnvelope}: header, body, CRC32C trailer. A {@link
 * BlockFrame}'s payload goes out as its own buffer between its header and the trailer, without a
 * copy: the trailer's CRC32C reads it in place. Owned by one channel's event loop; not sharable.
 */
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    private final BooleanSupplier v1Envelope;
    private final CRC32C crc = new CRC32C();

    /** @param v1Envelope whether to write the v1 envelope (no trailer): only to refuse a v1 peer */
    FrameEncoder(BooleanSupplier v1Envelope) {
        this.v1Envelope = v1Envelope;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        boolean checksum = !v1Envelope.getAsBoolean();
        ByteBuf payload = frame instanceof BlockFrame block ? block.payload() : Unpooled.EMPTY_BUFFER;
        ByteBuf head = ctx.alloc().buffer(FrameEnvelope.HEADER_LENGTH + BlockFrame.HEADER_LENGTH
                + FrameEnvelope.TRAILER_LENGTH);
        ByteBuf trailer = null;
        try {
            writeHead(frame, head, checksum);
            if (checksum) {
                int crc32c = FrameEnvelope.checksum(crc, head, payload);
                if (payload.isReadable()) {
                    trailer = ctx.alloc().buffer(FrameEnvelope.TRAILER_LENGTH).writeInt(crc32c);
                } else {
                    head.writeInt(crc32c);
                }
            }
        } catch (RuntimeException e) {
            head.release();
            throw e;
        }
        out.add(head);
        if (payload.isReadable()) {
            out.add(payload.retain());
        }
        if (trailer != null) {
            out.add(trailer);
        }
    }

    /**
     * Writes the whole of {@code frame} in the v2 envelope into {@code out}, a block frame's payload
     * copied in. Returns {@code out}. For tests and tools; the channel's encoder does not copy.
     */
    public static ByteBuf encode(Frame frame, ByteBuf out) {
        return encode(frame, out, new CRC32C());
    }

    /**
     * As {@link #encode(Frame, ByteBuf)}, with {@code crc} for the trailer: for a writer that puts
     * many frames into one buffer and hands the channel that buffer (the channel's encoder passes
     * bytes through). Thread-safe as far as {@code crc} and {@code out} are the caller's own.
     */
    public static ByteBuf encode(Frame frame, ByteBuf out, CRC32C crc) {
        int start = out.writerIndex();
        writeHead(frame, out, true);
        if (frame instanceof BlockFrame block) {
            out.writeBytes(block.payload(), block.payload().readerIndex(), block.payload().readableBytes());
        }
        out.writeInt(FrameEnvelope.checksum(crc, out.slice(start, out.writerIndex() - start),
                Unpooled.EMPTY_BUFFER));
        return out;
    }

    /**
     * Writes the header and body of {@code frame}, without a block frame's payload, with the length
     * of the whole frame: payload and, when {@code checksum}, trailer included.
     */
    private static void writeHead(Frame frame, ByteBuf out, boolean checksum) {
        int start = out.writerIndex();
        FrameEnvelope.writeHeader(out, frame.type(), checksum);
        frame.encodeBody(out);
        long frameBytes = out.writerIndex() - start + (checksum ? FrameEnvelope.TRAILER_LENGTH : 0);
        if (frame instanceof BlockFrame block) {
            frameBytes += block.payload().readableBytes();
        }
        FrameEnvelope.patchLength(out, start, frameBytes);
    }
}
