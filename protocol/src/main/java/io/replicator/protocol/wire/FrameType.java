package io.replicator.protocol.wire;

/** The type byte of each frame. Codes never change; new types are only added. Since v1 unless marked. */
public enum FrameType {
    HELLO(1),
    HELLO_ACK(2),
    BLOCK(3),
    ACK(4),
    BARRIER(5),
    BARRIER_ACK(6),
    HASH_REQUEST(7),
    HASH_RESPONSE(8),
    ERROR(9),
    HEARTBEAT(10),
    /** Since v2 with feature {@code CUTOVER_SEAL}. */
    CUTOVER_REPORT(11),
    /** Since v2 with feature {@code CUTOVER_SEAL}. */
    CUTOVER_REPORT_ACK(12),
    /** Since v2 with feature {@code JOURNAL}. */
    CHECKPOINT(13),
    /** Since v2 with feature {@code JOURNAL}. */
    CHECKPOINT_ACK(14);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a code read from the wire, or a {@link ProtocolException} naming it. */
    public static FrameType forCode(int code) {
        for (FrameType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                String.format("invalid frame type: %d (expected: 1-%d)", code, values().length));
    }

    /** The name of the type {@code code} stands for, or {@code "type N"} when it stands for none: for messages. */
    public static String describe(int code) {
        for (FrameType t : values()) {
            if (t.code == code) {
                return t.name();
            }
        }
        return "type " + code;
    }
}
