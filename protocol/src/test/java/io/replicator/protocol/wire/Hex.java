package io.replicator.protocol.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

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

    /** A whole v2 frame around {@code body}: the length field and the trailer are computed, flags CHECKSUM. */
    public static byte[] frame(int type, String... body) {
        byte[] b = bytes(body);
        byte[] frame = new byte[FrameEnvelope.HEADER_LENGTH + b.length];
        frame[FrameEnvelope.TYPE_OFFSET] = (byte) type;
        frame[FrameEnvelope.FLAGS_OFFSET] = (byte) FrameEnvelope.FLAG_CHECKSUM;
        System.arraycopy(b, 0, frame, FrameEnvelope.HEADER_LENGTH, b.length);
        return seal(frame);
    }

    /**
     * {@code unsealed} (header and body, no trailer) with its length field set to cover a trailer and
     * the trailer appended: the CRC32C of everything before it. The flags are left as they are.
     */
    public static byte[] seal(byte[] unsealed) {
        byte[] frame = Arrays.copyOf(unsealed, unsealed.length + FrameEnvelope.TRAILER_LENGTH);
        ByteBuffer.wrap(frame).putInt(0, frame.length - FrameEnvelope.LENGTH_FIELD_LENGTH);
        CRC32C crc = new CRC32C();
        crc.update(frame, 0, unsealed.length);
        ByteBuffer.wrap(frame).putInt(unsealed.length, (int) crc.getValue());
        return frame;
    }

    /** {@code frame} without its trailer. */
    public static byte[] unseal(byte[] frame) {
        return Arrays.copyOf(frame, frame.length - FrameEnvelope.TRAILER_LENGTH);
    }

    /** A copy of {@code frame} with bit {@code bit} (0 the lowest) of the byte at {@code offset} flipped. */
    public static byte[] flip(byte[] frame, int offset, int bit) {
        byte[] copy = frame.clone();
        copy[offset] ^= (byte) (1 << bit);
        return copy;
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
