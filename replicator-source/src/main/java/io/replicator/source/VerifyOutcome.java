package io.replicator.source;

import java.util.Locale;

/**
 * How a verification ended: {@code ok} (every settled chunk compared equal), {@code differ} (some
 * chunks differ; they are sent again), {@code incomplete} (a strict verification, the cutover's,
 * found chunks still changing), {@code failed} (it could not run to the end) or {@code cut_over} (the
 * source was cut over: replication has ended, nothing is compared). The admin endpoint
 * writes {@link #toString()}.
 */
public enum VerifyOutcome {
    OK,
    DIFFER,
    INCOMPLETE,
    FAILED,
    CUT_OVER;

    /** The value in the admin endpoint's JSON: the name in lower case. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
