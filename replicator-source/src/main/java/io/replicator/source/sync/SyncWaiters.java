package io.replicator.source.sync;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The syncs waiting until everything changed before they were asked is durable on the target
 * ({@link Waiter}s): answered once the agent is drained and a pass or walk that started after them
 * has finished, failed at their deadline, at a refusal that needs the admin, or when the agent
 * stops. Not thread-safe: owned by the sync agent's thread.
 */
final class SyncWaiters {
    private final List<Waiter> waiters = new ArrayList<>();

    void add(Waiter waiter) {
        waiters.add(waiter);
    }

    /**
     * Answers the waiters whose changes are all durable on the target ({@code drained}, and
     * {@code coveredSinceNs} at or after their start) with {@code durableSequence}, and fails those
     * past their deadline, saying why with {@code notInSync}. Called on every tick and as soon as a
     * pass or walk finishes, so that a sync with nothing left to send does not wait for the loop's
     * next idle timeout.
     */
    void complete(boolean drained, long coveredSinceNs, long durableSequence, Supplier<String> notInSync) {
        if (waiters.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.done().isDone()) {
                it.remove();
            } else if (drained && coveredSinceNs - w.sinceNs() >= 0) {
                w.done().complete(durableSequence);
                it.remove();
            } else if (now - w.deadlineNs() >= 0) {
                w.done().completeExceptionally(new IOException("not in sync after "
                        + TimeUnit.NANOSECONDS.toMillis(now - w.sinceNs()) + " ms: " + notInSync.get()));
                it.remove();
            }
        }
    }

    /** Fails every sync waiting with {@code why}. */
    void failAll(IOException why) {
        for (Waiter w : waiters) {
            w.done().completeExceptionally(why);
        }
        waiters.clear();
    }
}
