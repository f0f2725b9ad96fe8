package io.replicator.source.sync;

import io.replicator.source.SourceStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Where the sync agent publishes its status: one immutable {@link SourceStatus}, taken at the end
 * of a cycle whenever someone waits for one and otherwise at least every
 * {@link #PUBLISH_INTERVAL_NS}, so that the admin endpoint, metrics and lag read it without
 * touching the agent's state. A reader that wants a status no older than its request waits for
 * the {@link #next} publication; one that cannot wait (the agent may be stuck, say in a write to a
 * frozen file system) takes the {@link #latest}. Thread-safe: the agent's thread publishes, any
 * thread reads.
 */
final class StatusBoard {
    static final long PUBLISH_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ConcurrentLinkedQueue<CompletableFuture<SourceStatus>> waiting = new ConcurrentLinkedQueue<>();
    private volatile SourceStatus latest;
    private volatile long latestNs;

    /** The status published next. */
    CompletableFuture<SourceStatus> next() {
        CompletableFuture<SourceStatus> f = new CompletableFuture<>();
        waiting.add(f);
        return f;
    }

    /** The last status published, or null before the first. */
    SourceStatus latest() {
        return latest;
    }

    /** Whether the agent should publish at the end of this cycle. */
    boolean due(long nowNs) {
        return !waiting.isEmpty() || latest == null || nowNs - latestNs >= PUBLISH_INTERVAL_NS;
    }

    /** Publishes {@code status}, taken at {@code nowNs}, and hands it to everyone waiting. Agent's thread only. */
    void publish(SourceStatus status, long nowNs) {
        latest = status;
        latestNs = nowNs;
        for (CompletableFuture<SourceStatus> f; (f = waiting.poll()) != null; ) {
            f.complete(status);
        }
    }

    /** {@code s} naming {@code tracker} and why, unless the agent named the scan tracker it fell back to. */
    static SourceStatus withTracker(SourceStatus s, String tracker, String trackerReason) {
        if (s.tracker() != null) {
            return s;
        }
        return s.withTracker(tracker, trackerReason);
    }
}
