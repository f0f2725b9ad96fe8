package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the byte stream into {@link FrameHeader}-framed bodies and hands each to its frame
 * class. The length is checked before a byte of the body is buffered; after the first violation
 * the decoder discards everything that follows (the handler behind it closes the connection).
 * Owned by one channel's event loop; not sharable.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < FrameHeader.LENGTH_FIELD_LENGTH) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length < FrameHeader.MIN_LENGTH || length > FrameHeader.MAX_LENGTH) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                    "invalid frame length: %d (expected: %d-%d)", length, FrameHeader.MIN_LENGTH, FrameHeader.MAX_LENGTH));
        }
        if (in.readableBytes() < FrameHeader.LENGTH_FIELD_LENGTH + length) {
            return;
        }
        in.skipBytes(FrameHeader.LENGTH_FIELD_LENGTH);
        ByteBuf body = in.readSlice((int) length);
        try {
            out.add(decodeFrame(body));
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /** Decodes one frame from {@code length} bytes of type, flags and body. Visible for fuzzing. */
    public static Frame decodeFrame(ByteBuf frame) {
        FrameType type = FrameType.forCode(frame.readUnsignedByte());
        ProtocolException.checkRange("flags", frame.readUnsignedByte(), 0, 0);
        return switch (type) {
            case HELLO -> Hello.decode(frame);
            case HELLO_ACK -> HelloAck.decode(frame);
            case BLOCK -> BlockFrame.decode(frame);
            case ACK -> Ack.decode(frame);
            case BARRIER -> Barrier.decode(frame);
            case BARRIER_ACK -> BarrierAck.decode(frame);
            case HASH_REQUEST -> HashRequest.decode(frame);
            case HASH_RESPONSE -> HashResponse.decode(frame);
            case ERROR -> ErrorFrame.decode(frame);
            case HEARTBEAT -> Heartbeat.decode(frame);
        };
    }
}
