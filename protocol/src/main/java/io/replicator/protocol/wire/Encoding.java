package io.replicator.protocol.wire;

/** How a {@link BlockFrame}'s payload holds the plain bytes. Codes never change. */
public enum Encoding {
    /** The payload is the plain bytes. */
    RAW(0),
    /** The payload is one LZ4 block (no frame header) that decompresses to exactly {@code length} bytes. */
    LZ4(1),
    /** No payload: the range is all zero bytes. */
    ZERO(2);

    private final int code;

    Encoding(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Encoding forCode(int code) {
        return switch (code) {
            case 0 -> RAW;
            case 1 -> LZ4;
            case 2 -> ZERO;
            default -> throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    String.format("invalid encoding: %d (expected: 0-2)", code));
        };
    }
}
