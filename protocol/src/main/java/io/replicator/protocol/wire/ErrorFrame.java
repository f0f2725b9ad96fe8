package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

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
        message = truncate(message);
    }

    /**
     * Cuts a message longer than {@link #MAX_MESSAGE_BYTES} of UTF-8 after the last whole character
     * that fits with a trailing {@code "..."}.
     */
    private static String truncate(String message) {
        if (message.getBytes(StandardCharsets.UTF_8).length <= MAX_MESSAGE_BYTES) {
            return message;
        }
        int budget = MAX_MESSAGE_BYTES - 3;
        int bytes = 0;
        int end = 0;
        while (end < message.length()) {
            int cp = message.codePointAt(end);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > budget) {
                break;
            }
            bytes += n;
            end += Character.charCount(cp);
        }
        return message.substring(0, end) + "...";
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
