package io.replicator.protocol.wire;

import java.util.HexFormat;

/** Hex fixtures written field by field. Stateless. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    /** Concatenates hex fields; spaces inside a field are ignored. */
    public static byte[] bytes(String... fields) {
        StringBuilder sb = new StringBuilder();
        for (String field : fields) {
            sb.append(field.replace(" ", ""));
        }
        return HEX.parseHex(sb);
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** A copy of {@code frame} with the bytes at {@code offset} replaced by {@code hex}. */
    public static byte[] patch(byte[] frame, int offset, String hex) {
        byte[] patch = bytes(hex);
        byte[] copy = frame.clone();
        System.arraycopy(patch, 0, copy, offset, patch.length);
        return copy;
    }

    /** A whole frame around {@code body}: the length field is computed, flags are zero. */
    public static byte[] frame(int type, String... body) {
        byte[] b = bytes(body);
        byte[] frame = new byte[FrameHeader.HEADER_LENGTH + b.length];
        int length = FrameHeader.HEADER_LENGTH - FrameHeader.LENGTH_FIELD_LENGTH + b.length;
        frame[0] = (byte) (length >>> 24);
        frame[1] = (byte) (length >>> 16);
        frame[2] = (byte) (length >>> 8);
        frame[3] = (byte) length;
        frame[FrameHeader.TYPE_OFFSET] = (byte) type;
        System.arraycopy(b, 0, frame, FrameHeader.HEADER_LENGTH, b.length);
        return frame;
    }

    /** {@code s} in UTF-8 as hex. */
    public static String utf8(String s) {
        return HEX.formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static byte[] utf8Bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code count} copies of the byte {@code b} as hex. */
    public static String repeat(int b, int count) {
        return String.format("%02x", b).repeat(count);
    }
}
