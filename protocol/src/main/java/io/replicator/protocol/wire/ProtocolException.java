package io.replicator.protocol.wire;

/**
 * A violation of the protocol by the peer, or a refusal to be sent to it. Carries the {@link
 * ErrorCode} that goes on the wire; {@link #retriable()} tells whether reconnecting can help.
 */
public class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ProtocolException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public boolean retriable() {
        return code.retriable();
    }

    /** Throws {@link ErrorCode#MALFORMED_FRAME} naming the field, the value and the bound unless {@code min <= value <= max}. */
    public static long checkRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    String.format("invalid %s: %d (expected: %d-%d)", field, value, min, max));
        }
        return value;
    }
}
