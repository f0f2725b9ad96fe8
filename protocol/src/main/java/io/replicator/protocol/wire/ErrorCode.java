package io.replicator.protocol.wire;

/**
 * Error codes carried by {@link ErrorFrame}. The numeric codes are part of the protocol since v1 and
 * never change; new codes are only added. Each code says whether retrying the connection can help.
 */
public enum ErrorCode {
    /** A code this peer does not know (sent by a newer peer). */
    UNKNOWN(0, false),
    /** A frame could not be parsed: bad length, bad field, trailing bytes. */
    MALFORMED_FRAME(1, false),
    /** No protocol version in common; the message names both ranges. */
    UNSUPPORTED_VERSION(2, false),
    /** A block frame names a volume index the handshake did not declare. */
    UNKNOWN_VOLUME(3, false),
    /** A block or hash range lies outside the volume. */
    OUT_OF_RANGE(4, false),
    /**
     * The CRC32C of the decoded bytes does not match the block frame, or (since v2) a frame's trailer
     * does not match its bytes.
     */
    BAD_CHECKSUM(5, false),
    /** A frame arrived that is not allowed in the connection's current state. */
    UNEXPECTED_FRAME(6, false),
    /** The target's volume could not be opened, created or is too small. */
    VOLUME_UNAVAILABLE(7, false),
    /** Writing or syncing the target volume failed (EIO, ENOSPC): nothing past the last ack is durable. */
    IO_ERROR(8, true),
    /** The peer is shutting down; reconnect later. */
    SHUTTING_DOWN(9, true),
    /** A source with the same id and volume is already connected. */
    ALREADY_CONNECTED(10, true),
    /** Sequence numbers went backwards. */
    BAD_SEQUENCE(11, false),
    /**
     * The peer's certificate does not allow what it asked for: a role other than the one this side
     * accepts, or a source id other than the certificate's name. Since v1.
     */
    NOT_AUTHORIZED(12, false),
    /** The peer's certificate was revoked while it was connected. Since v1. */
    REVOKED(13, false),
    /** The peer sent nothing (or no valid HELLO) within the time allowed; reconnecting may work. Since v1. */
    TIMED_OUT(14, true),
    /**
     * The source's volumes were sealed by a verified cutover: the target takes nothing more from this
     * source id until an administrator releases it ({@code replicator release}). The message names
     * when and by which report. Since v2 with feature {@code CUTOVER_SEAL}.
     */
    CUT_OVER(15, false);

    private static final ErrorCode[] BY_CODE;

    static {
        int max = 0;
        for (ErrorCode c : values()) {
            max = Math.max(max, c.code);
        }
        BY_CODE = new ErrorCode[max + 1];
        for (ErrorCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;
    private final boolean retriable;

    ErrorCode(int code, boolean retriable) {
        this.code = code;
        this.retriable = retriable;
    }

    /** The stable numeric code on the wire (u16). */
    public int code() {
        return code;
    }

    /** Whether reconnecting later can succeed without the admin changing anything. */
    public boolean retriable() {
        return retriable;
    }

    /** The code for a number read from the wire; {@link #UNKNOWN} for one this version does not know. */
    public static ErrorCode forCode(int code) {
        if (code < 0 || code >= BY_CODE.length || BY_CODE[code] == null) {
            return UNKNOWN;
        }
        return BY_CODE[code];
    }
}
