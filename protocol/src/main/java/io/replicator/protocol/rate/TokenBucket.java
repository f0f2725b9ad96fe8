package io.replicator.protocol.rate;

/**
 * A token bucket over bytes: tokens accrue at {@code bytesPerSecond} up to a burst of {@link
 * #burstBytes} (a tenth of a second of the rate, at least {@value #MIN_BURST_BYTES} bytes, so that a
 * whole frame always fits), and each frame sent takes its bytes, which may leave the bucket in
 * debt: the next frame waits until the debt is paid. So over any interval of {@code T} seconds at
 * most {@code burst + rate * T + one frame} bytes pass, and a sender that always has something to
 * send gets the rate within a burst. The rate may change at any time; the change holds from the
 * next {@link #refill}. A rate of {@link #UNLIMITED} lets everything through. Time is handed in
 * ({@code nowNs}, monotonic), so tests drive it. Not thread-safe: owned by one thread.
 */
public final class TokenBucket {
    /** No limit. */
    public static final long UNLIMITED = 0;
    /** The smallest burst: two of the largest block frames. */
    public static final long MIN_BURST_BYTES = 256 << 10;
    private static final long NS_PER_SECOND = 1_000_000_000L;

    private long bytesPerSecond;
    private double tokens;
    private long lastRefillNs;

    /** A bucket at {@code bytesPerSecond} ({@link #UNLIMITED}: none), full at {@code nowNs}. */
    public TokenBucket(long bytesPerSecond, long nowNs) {
        this.lastRefillNs = nowNs;
        rate(bytesPerSecond, nowNs);
        this.tokens = burstBytes();
    }

    /** The rate in force, or {@link #UNLIMITED}. */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /**
     * Changes the rate at {@code nowNs}: what accrued until now accrued at the old rate; what the
     * bucket holds is capped at the new burst, so a lowered limit holds at once.
     */
    public void rate(long newBytesPerSecond, long nowNs) {
        if (newBytesPerSecond < 0) {
            throw new IllegalArgumentException("invalid rate: " + newBytesPerSecond + " bytes/s (expected: >= 0)");
        }
        refill(nowNs);
        bytesPerSecond = newBytesPerSecond;
        tokens = Math.min(tokens, burstBytes());
    }

    /** The most the bucket holds: a tenth of a second at the rate, at least {@value #MIN_BURST_BYTES}. */
    public long burstBytes() {
        return Math.max(MIN_BURST_BYTES, bytesPerSecond / 10);
    }

    /** Adds what accrued since the last refill. */
    public void refill(long nowNs) {
        long elapsedNs = nowNs - lastRefillNs;
        lastRefillNs = nowNs;
        if (bytesPerSecond == UNLIMITED || elapsedNs <= 0) {
            return;
        }
        tokens = Math.min(burstBytes(), tokens + (double) bytesPerSecond * elapsedNs / NS_PER_SECOND);
    }

    /** Whether a frame may go now: no limit, or the bucket is not in debt. */
    public boolean allows(long nowNs) {
        if (bytesPerSecond == UNLIMITED) {
            return true;
        }
        refill(nowNs);
        return tokens > 0;
    }

    /** {@code bytes} went on the wire: taken from the bucket, which may go into debt. */
    public void take(long bytes) {
        if (bytesPerSecond != UNLIMITED) {
            tokens -= bytes;
        }
    }

    /** How long until {@link #allows} may say yes: 0 when it does now. */
    public long nsUntilAllowed(long nowNs) {
        if (allows(nowNs)) {
            return 0;
        }
        return (long) Math.ceil((1 - tokens) * NS_PER_SECOND / bytesPerSecond);
    }
}
