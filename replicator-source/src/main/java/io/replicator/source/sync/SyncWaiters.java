package io.replicator.source.sync;

import io.replicator.protocol.wire.BarrierAck;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The syncs waiting until everything changed before they were asked is durable on the target
 * ({@link Waiter}s): drained once the agent is drained and a pass or walk that started after them
 * has finished; answered then, or, when the target journals changes (an ack then means "in its
 * journal", its volumes follow behind), once the target answers a barrier sent at that moment, which
 * it does when its volumes hold everything before it. A barrier lost with its session is sent again
 * when the next session is drained. Failed at their deadline, at a refusal that needs the admin, or
 * when the agent stops. Not thread-safe: owned by the sync agent's thread.
 */
final class SyncWaiters {
    /**
     * The first barrier id of the syncs: far above the ids the cutover numbers its barriers with (from
     * 1), so that each takes only the answers to its own.
     */
    static final long FIRST_BARRIER_ID = 1L << 62;

    /** Where a sync's barrier goes. */
    interface Barriers {
        /** Whether the target journals changes (its acks precede its volumes). */
        boolean journal();

        /** The current session's number ({@link TargetSession#sessionNumber()}). */
        long sessionNumber();

        /** Sends barrier {@code barrierId} behind every frame sent so far. */
        void send(long barrierId);
    }

    private final List<Waiter> waiters = new ArrayList<>();
    /** The barrier each drained waiter waits for, and the session it was sent in. */
    private final Map<Waiter, long[]> barriers = new IdentityHashMap<>();
    private long nextBarrierId = FIRST_BARRIER_ID;

    void add(Waiter waiter) {
        waiters.add(waiter);
    }

    /**
     * Answers the waiters whose changes are all durable on the target ({@code drained}, and
     * {@code coveredSinceNs} at or after their start) with {@code durableSequence}, or sends their
     * barrier when {@code barriers} says the target journals; fails those past their deadline, saying
     * why with {@code notInSync}. Called on every tick and as soon as a pass or walk finishes, so that a
     * sync with nothing left to send does not wait for the loop's next idle timeout.
     */
    void complete(boolean drained, long coveredSinceNs, long durableSequence, Barriers target,
                  Supplier<String> notInSync) {
        if (waiters.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            long[] barrier = barriers.get(w);
            if (barrier != null && barrier[1] != target.sessionNumber()) {
                barriers.remove(w); // its session ended before the answer: sent again once drained
                barrier = null;
            }
            if (w.done().isDone()) {
                barriers.remove(w);
                it.remove();
            } else if (barrier == null && drained && coveredSinceNs - w.sinceNs() >= 0) {
                if (target.journal()) {
                    long id = nextBarrierId++;
                    barriers.put(w, new long[] {id, target.sessionNumber()});
                    target.send(id);
                } else {
                    w.done().complete(durableSequence);
                    it.remove();
                }
            } else if (now - w.deadlineNs() >= 0) {
                w.done().completeExceptionally(new IOException("not in sync after "
                        + TimeUnit.NANOSECONDS.toMillis(now - w.sinceNs()) + " ms: " + (barrier != null
                        ? "the target did not answer barrier " + barrier[0] + " (its volumes behind its journal)"
                        : notInSync.get())));
                barriers.remove(w);
                it.remove();
            }
        }
    }

    /** The target answered a barrier: the sync waiting for it is answered with the target's durable sequence. */
    void onBarrierAck(BarrierAck ack) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            long[] barrier = barriers.get(w);
            if (barrier != null && barrier[0] == ack.barrierId()) {
                barriers.remove(w);
                w.done().complete(ack.durableSequence());
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
        barriers.clear();
    }
}
