package io.replicator.target.net;

import io.netty.channel.EventLoop;
import io.replicator.protocol.rate.TokenBucket;
import java.util.concurrent.TimeUnit;

/**
 * One session's share of the receiver's rate ({@link ReceiveLimits}): meters the block frames the
 * session reads with its own {@link TokenBucket} at the share in force, and when that leaves the
 * bucket in debt says the session must stop reading ({@link #limited}) until the debt is paid at
 * the share in force then, looked at again at least every {@link #RATE_RECHECK_NS}, so that a limit
 * raised or lifted live holds within that whatever the debt under the old one. Confined to the
 * session's event loop, except {@link ReceiveLimits.Share}, which any thread reads.
 */
final class ShareMeter {
    static final long RATE_RECHECK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ReceiveLimits limits;
    private final ReceiveLimits.Share share;
    private final EventLoop loop;
    private final Runnable readingChanged;
    /** Null while the receiver has no limit. */
    private TokenBucket bucket;
    private boolean limited;
    private boolean closed;

    /** A session's meter; {@code readingChanged} runs (on {@code loop}) when {@link #limited} changes. */
    ShareMeter(ReceiveLimits limits, EventLoop loop, Runnable readingChanged) {
        this.limits = limits;
        this.share = limits.join();
        this.loop = loop;
        this.readingChanged = readingChanged;
    }

    /** Whether the session must not read now: it waits for its share. */
    boolean limited() {
        return limited;
    }

    /** Whether the session's reading is paused for any reason: it still counts as busy. */
    void held(boolean held) {
        share.held(held);
    }

    /** A block frame of {@code wireBytes} was read at {@code nowNs}. */
    void received(long wireBytes, long nowNs) {
        if (followRate(nowNs)) {
            bucket.take(wireBytes);
        }
        long waitNs = bucket == null ? 0 : bucket.nsUntilAllowed(nowNs);
        // Waiting for its share, the session is still busy: the others must not take its share meanwhile.
        share.sentBlock(nowNs + waitNs);
        if (waitNs > 0 && !limited) {
            limited = true;
            readingChanged.run();
            scheduleCheck(waitNs);
        }
    }

    /** The session is gone: it takes no share any more. */
    void close() {
        closed = true;
        limits.leave(share);
    }

    /** Sets the bucket to the share now; false (and no bucket) when the receiver has no limit. */
    private boolean followRate(long nowNs) {
        long rate = limits.shareBytesPerSecond(nowNs);
        if (rate == TokenBucket.UNLIMITED) {
            bucket = null;
            return false;
        }
        if (bucket == null) {
            bucket = new TokenBucket(rate, nowNs);
        } else if (bucket.bytesPerSecond() != rate) {
            bucket.rate(rate, nowNs);
        }
        return true;
    }

    private void scheduleCheck(long waitNs) {
        loop.schedule(() -> {
            long nowNs = System.nanoTime();
            long leftNs = followRate(nowNs) ? bucket.nsUntilAllowed(nowNs) : 0;
            if (leftNs > 0 && !closed) {
                scheduleCheck(leftNs);
                return;
            }
            limited = false;
            readingChanged.run();
        }, Math.min(waitNs, RATE_RECHECK_NS), TimeUnit.NANOSECONDS);
    }
}
