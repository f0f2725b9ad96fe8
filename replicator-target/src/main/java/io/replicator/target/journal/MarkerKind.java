package io.replicator.target.journal;

/** What a marker entry marks. Codes are on disk and never change. */
public enum MarkerKind {
    /** A source's barrier: everything sent before it is in the journal. */
    BARRIER(1),
    /** A consistent checkpoint: the source's file systems were quiet at this point. */
    CHECKPOINT(2);

    private final int code;

    MarkerKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The kind with {@code code}, or null for a code this version does not know. */
    public static MarkerKind forCode(int code) {
        for (MarkerKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        return null;
    }
}
