package io.replicator.source.sync;

import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * How long the source waits before dialing the target again. Every failed attempt and every
 * session that ends without progress doubles the cap, from {@code minMs} up to {@code maxMs}, and
 * the wait is drawn between half the cap and the cap (equal jitter: sources that failed together
 * spread out, and never wait less than half the cap, so the attempts stay countable).
 *
 * <p>A handshake alone resets nothing: a target whose disk is full answers it and then refuses
 * the first blocks. The failures go back to zero only once a session made progress: the target
 * acknowledged something new in it or answered a barrier, sent no error, and it has been up for
 * {@code stableMs}.
 *
 * <p>It also says why an attempt failed. A target refuses with an error frame and closes at once;
 * a block the source is still writing then meets the closed connection, and the error frame can be
 * lost to that race, so a session that ends soon after its handshake with no progress and no error
 * frame of its own is put down to the last refusal since the last progress.
 *
 * <p>Times are {@link System#nanoTime} values handed in by the caller. Not thread-safe: owned by
 * the sync agent's thread.
 */
final class ReconnectBackoff {
    /** How long a session that made progress must have been up before it resets the failures. */
    static final long STABLE_SESSION_MS = 5_000;

    private final long minMs;
    private final long maxMs;
    private final long stableNs;
    private final RandomGenerator random;

    private int failures;
    private boolean waiting;
    private long nextAttemptNs;
    private boolean inSession;
    private long sessionStartNs;
    private boolean acknowledged;
    /** The error frame of the attempt under way, or null. */
    private String refusal;
    /** The last error frame since the last session that made progress, or null. */
    private String lastRefusal;

    ReconnectBackoff(long minMs, long maxMs, long stableMs, RandomGenerator random) {
        if (minMs <= 0 || maxMs < minMs) {
            throw new IllegalArgumentException("invalid reconnect backoff " + minMs + " ms to " + maxMs
                    + " ms (expected: 0 < min <= max)");
        }
        this.minMs = minMs;
        this.maxMs = maxMs;
        this.stableNs = TimeUnit.MILLISECONDS.toNanos(stableMs);
        this.random = random;
    }

    /** The handshake succeeded: a session starts. The failures stay as they are. */
    void connected(long nowNs) {
        inSession = true;
        sessionStartNs = nowNs;
        acknowledged = false;
        refusal = null;
    }

    /**
     * The target made something new durable. Returns true for the first time in a session, when the
     * session had no error before.
     */
    boolean acknowledged() {
        boolean first = inSession && !acknowledged && refusal == null;
        acknowledged |= inSession;
        return first;
    }

    /** The target sent an error frame, {@code reason}: the attempt under way cannot count as progress. */
    void refused(String reason) {
        refusal = reason;
        lastRefusal = reason;
    }

    /**
     * Why the attempt under way failed, which the link saw as {@code observed}: the attempt's own
     * refusal; for a session that ends within {@code stableMs} of its handshake having made no
     * progress, the last refusal since the last progress; else {@code observed}.
     */
    String reason(String observed, long nowNs) {
        if (refusal != null) {
            return refusal;
        }
        if (inSession && !acknowledged && nowNs - sessionStartNs < stableNs && lastRefusal != null) {
            return lastRefusal;
        }
        return observed;
    }

    /** The attempt failed or the session ended: counts a failure (after any progress reset) and returns the wait in ms. */
    long failed(long nowNs) {
        settle(nowNs);
        inSession = false;
        refusal = null;
        failures++;
        long capMs = capMs(failures);
        long waitMs = capMs - random.nextLong(capMs / 2 + 1);
        waiting = true;
        nextAttemptNs = nowNs + TimeUnit.MILLISECONDS.toNanos(waitMs);
        return waitMs;
    }

    /** The longest wait after {@code failures} failures in a row: {@code min * 2^(failures - 1)}, at most max. */
    long capMs(int failures) {
        long cap = minMs;
        for (int i = 1; i < failures && cap < maxMs; i++) {
            cap = cap > maxMs / 2 ? maxMs : cap * 2;
        }
        return Math.min(cap, maxMs);
    }

    /** Whether the next attempt may start. */
    boolean due(long nowNs) {
        return !waiting || nowNs - nextAttemptNs >= 0;
    }

    /** Milliseconds until the next attempt may start, 0 when it may start now. */
    long waitMs(long nowNs) {
        return due(nowNs) ? 0 : TimeUnit.NANOSECONDS.toMillis(nextAttemptNs - nowNs + 999_999);
    }

    /** Attempts and sessions that failed in a row since the last session that made progress. */
    int failures(long nowNs) {
        settle(nowNs);
        return failures;
    }

    private void settle(long nowNs) {
        if (inSession && acknowledged && refusal == null && nowNs - sessionStartNs >= stableNs) {
            failures = 0;
            lastRefusal = null;
        }
    }
}
