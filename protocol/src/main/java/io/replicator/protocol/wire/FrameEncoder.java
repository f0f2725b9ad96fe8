package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes a {@link FrameHeader} and the frame's body. A {@link BlockFrame}'s payload follows its
 * header as a second buffer, without a copy. Stateless and sharable.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        ByteBuf header = ctx.alloc().buffer(FrameHeader.HEADER_LENGTH + BlockFrame.HEADER_LENGTH);
        try {
            out.add(encode(frame, header));
        } catch (RuntimeException e) {
            header.release();
            throw e;
        }
        if (frame instanceof BlockFrame block) {
            out.add(block.payload().retain());
        }
    }

    /**
     * Writes the header and body of {@code frame} into {@code out} and patches the length; for a
     * block frame the payload is not included. Returns {@code out}.
     */
    public static ByteBuf encode(Frame frame, ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeByte(frame.type().code());
        out.writeByte(0);
        frame.encodeBody(out);
        int length = out.writerIndex() - start - FrameHeader.LENGTH_FIELD_LENGTH;
        if (frame instanceof BlockFrame block) {
            length += block.payload().readableBytes();
        }
        out.setInt(start, length);
        return out;
    }
}
