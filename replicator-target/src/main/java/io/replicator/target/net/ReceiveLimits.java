package io.replicator.target.net;

import io.replicator.protocol.rate.TokenBucket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What the receiver's sessions share: the total rate of bytes received ({@code --max-rate}, changed
 * live by {@code throttle}), split equally among the busy sessions: those that sent a block within
 * the last {@link #BUSY_NS} or whose reading is paused (an idle source takes no share), and the total of bytes queued for the apply
 * threads, split equally among the sessions connected, so that memory follows the number of
 * sources and never the size of their volumes. Each session meters itself against its share with
 * its own {@link TokenBucket} on its event loop. Thread-safe.
 */
public final class ReceiveLimits {
    /** A session that received a block this recently counts as busy. */
    static final long BUSY_NS = TimeUnit.SECONDS.toNanos(1);
    /** The least a session may queue, whatever the number of sessions: a few of the largest frames. */
    public static final long MIN_QUEUED_BYTES = 2L << 20;

    /** One session's standing. Its fields are written by its event loop and read by any thread. */
    static final class Share {
        private volatile long lastBlockNs = Long.MIN_VALUE;
        /** Reading is paused (its apply queue is full, or it waits for its share): it has more to send. */
        private volatile boolean held;

        void held(boolean held) {
            this.held = held;
        }

        /** A block arrived, and the session may receive again at {@code untilNs} (now, or when its share has room). */
        void sentBlock(long untilNs) {
            lastBlockNs = untilNs;
        }

        boolean busy(long nowNs) {
            return held || lastBlockNs != Long.MIN_VALUE && nowNs - lastBlockNs < BUSY_NS;
        }
    }

    private final Set<Share> shares = ConcurrentHashMap.newKeySet();
    private final long maxQueuedBytesPerSession;
    private final long maxQueuedBytesTotal;
    private volatile long totalBytesPerSecond;

    /**
     * @param totalBytesPerSecond      the rate over all sessions, {@link TokenBucket#UNLIMITED} for none
     * @param maxQueuedBytesPerSession what one session may queue at most
     * @param maxQueuedBytesTotal      what all sessions may queue together
     */
    public ReceiveLimits(long totalBytesPerSecond, long maxQueuedBytesPerSession, long maxQueuedBytesTotal) {
        this.totalBytesPerSecond = totalBytesPerSecond;
        this.maxQueuedBytesPerSession = maxQueuedBytesPerSession;
        this.maxQueuedBytesTotal = maxQueuedBytesTotal;
    }

    /** Sets the rate over all sessions at once; {@link TokenBucket#UNLIMITED} lifts it. */
    public void totalBytesPerSecond(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("invalid rate: " + bytesPerSecond + " bytes/s (expected: >= 0)");
        }
        totalBytesPerSecond = bytesPerSecond;
    }

    /** The rate over all sessions, or {@link TokenBucket#UNLIMITED}. */
    public long totalBytesPerSecond() {
        return totalBytesPerSecond;
    }

    Share join() {
        Share s = new Share();
        shares.add(s);
        return s;
    }

    void leave(Share s) {
        shares.remove(s);
    }

    /** The rate one busy session may receive at now: the total over the busy sessions (itself included). */
    long shareBytesPerSecond(long nowNs) {
        long total = totalBytesPerSecond;
        if (total == TokenBucket.UNLIMITED) {
            return TokenBucket.UNLIMITED;
        }
        int busy = 0;
        for (Share s : shares) {
            if (s.busy(nowNs)) {
                busy++;
            }
        }
        return Math.max(1, total / Math.max(1, busy));
    }

    /** What one session may queue now: its bound, or the total over the sessions connected, at least {@link #MIN_QUEUED_BYTES}. */
    long maxQueuedBytes() {
        long fair = maxQueuedBytesTotal / Math.max(1, shares.size());
        return Math.min(maxQueuedBytesPerSession, Math.max(MIN_QUEUED_BYTES, fair));
    }
}
