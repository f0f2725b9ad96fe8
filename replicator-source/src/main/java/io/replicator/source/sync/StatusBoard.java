package io.replicator.source.sync;

import io.replicator.source.SourceStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where the sync agent publishes its status: one immutable {@link SourceStatus}, taken at the end
 * of a cycle whenever someone waits for one (and once at the start), so that the admin endpoint,
 * metrics and lag read it without touching the agent's state. Nothing is taken while nobody asks:
 * a snapshot of every volume's figures and forecast in words every 100 ms cost a busy source a few
 * percent of its CPU, for nobody. A reader that wants a status no older than its request waits for
 * the {@link #next} publication; one that cannot wait (the agent may be stuck, say in a write to a
 * frozen file system) takes the {@link #latest}. Thread-safe: the agent's thread publishes, any
 * thread reads.
 */
final class StatusBoard {
    private final ConcurrentLinkedQueue<CompletableFuture<SourceStatus>> waiting = new ConcurrentLinkedQueue<>();
    private volatile SourceStatus latest;

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

    /** Whether the agent should publish at the end of this cycle: someone waits, or nothing was published yet. */
    boolean due() {
        return !waiting.isEmpty() || latest == null;
    }

    /** Publishes {@code status} and hands it to everyone waiting. Agent's thread only (its starter before it runs). */
    void publish(SourceStatus status) {
        latest = status;
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
