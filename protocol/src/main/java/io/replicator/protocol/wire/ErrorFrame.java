package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Either side: why the connection is about to close. The sender closes after writing it.
 *
 * <pre>
 *  +------+--------+---------+
 *  | code | msgLen | message |
 *  | u16  | u16    | UTF-8   |
 *  +------+--------+---------+
 * </pre>
 * Big-endian; {@code code} is an {@link ErrorCode}. Since v1.
 */
public record ErrorFrame(ErrorCode code, String message) implements Frame {
    public static final int MAX_MESSAGE_BYTES = 1024;

    public ErrorFrame {
        byte[] bytes = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length > MAX_MESSAGE_BYTES) {
            message = new String(bytes, 0, MAX_MESSAGE_BYTES - 3, java.nio.charset.StandardCharsets.UTF_8) + "...";
            while (message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
                message = message.substring(0, message.length() - 4) + "...";
            }
        }
    }

    public static ErrorFrame of(ProtocolException e) {
        return new ErrorFrame(e.code(), e.getMessage());
    }

    @Override
    public FrameType type() {
        return FrameType.ERROR;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeShort(code.code());
        WireStrings.write(out, message);
    }

    public static ErrorFrame decode(ByteBuf in) {
        WireStrings.need(in, 2, "error code");
        ErrorCode code = ErrorCode.forCode(in.readUnsignedShort());
        String message = WireStrings.read(in, "error message", MAX_MESSAGE_BYTES);
        WireStrings.end(in, FrameType.ERROR);
        return new ErrorFrame(code, message);
    }
}
