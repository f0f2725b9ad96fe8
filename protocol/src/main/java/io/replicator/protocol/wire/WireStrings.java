package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strings on the wire: a u16 byte count followed by that many bytes of UTF-8. Readers check the
 * count against the field's bound and the bytes left in the frame before allocating, and refuse
 * bytes that are not well-formed UTF-8 (a lenient decoder would map different byte strings to one
 * name). Stateless.
 */
final class WireStrings {
    private WireStrings() {
    }

    static void write(ByteBuf out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeShort(bytes.length);
        out.writeBytes(bytes);
    }

    static String read(ByteBuf in, String field, int maxBytes) {
        need(in, 2, field + " length");
        return utf8(in, field, in.readUnsignedShort(), maxBytes);
    }

    /** A long text: a u32 byte count, then that many bytes of UTF-8. */
    static void writeText(ByteBuf out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    /** Reads what {@link #writeText} wrote, refusing more than {@code maxBytes}. */
    static String readText(ByteBuf in, String field, int maxBytes) {
        need(in, 4, field + " length");
        return utf8(in, field, in.readUnsignedInt(), maxBytes);
    }

    /** Refuses a value of more than {@code maxBytes} bytes of UTF-8, naming the field. */
    static void checkLength(String field, String value, int maxBytes) {
        ProtocolException.checkRange(field + " length", value.getBytes(StandardCharsets.UTF_8).length, 0, maxBytes);
    }

    private static String utf8(ByteBuf in, String field, long length, int maxBytes) {
        ProtocolException.checkRange(field + " length", length, 0, Math.min(maxBytes, in.readableBytes()));
        byte[] bytes = new byte[(int) length];
        in.readBytes(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    String.format("invalid %s: %d bytes that are not well-formed UTF-8", field, length), e);
        }
    }

    /** Fails with the field's name when fewer than {@code bytes} remain in the frame. */
    static void need(ByteBuf in, int bytes, String field) {
        if (in.readableBytes() < bytes) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    String.format("truncated frame: %s needs %d bytes, %d left", field, bytes, in.readableBytes()));
        }
    }

    /** Fails when bytes remain after the last field of a body. */
    static void end(ByteBuf in, FrameType type) {
        if (in.isReadable()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    String.format("frame %s has %d trailing bytes", type, in.readableBytes()));
        }
    }
}
