package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.BarrierAck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SyncWaitersTest {
    private final SyncWaiters waiters = new SyncWaiters();
    private final FakeTarget target = new FakeTarget();
    private final CompletableFuture<Long> done = new CompletableFuture<>();

    SyncWaitersTest() {
        long now = System.nanoTime();
        waiters.add(new Waiter(now, now + TimeUnit.HOURS.toNanos(1), done));
    }

    @Test
    void shouldAnswerOnceDrainedWhenTheTargetDoesNotJournal() {
        waiters.complete(true, System.nanoTime(), 7, target, () -> "");
        assertEquals(7L, done.getNow(-1L));
        assertTrue(target.sent.isEmpty(), "no barrier: an ack means the volumes hold it");
    }

    @Test
    void shouldWaitForItsBarrierWhenTheTargetJournals() {
        target.journal = true;
        waiters.complete(true, System.nanoTime(), 7, target, () -> "");
        assertFalse(done.isDone(), "acked in the journal is not yet on the volumes");
        assertEquals(1, target.sent.size());
        waiters.complete(true, System.nanoTime(), 7, target, () -> "");
        assertEquals(1, target.sent.size(), "one barrier per sync");
        waiters.onBarrierAck(new BarrierAck(1, 9)); // a cutover's barrier
        assertFalse(done.isDone());
        waiters.onBarrierAck(new BarrierAck(target.sent.get(0), 9));
        assertEquals(9L, done.getNow(-1L));
    }

    @Test
    void shouldSendItsBarrierAgainInTheNextSessionWhenTheAnswerWasLost() {
        target.journal = true;
        waiters.complete(true, System.nanoTime(), 7, target, () -> "");
        target.session++;
        waiters.complete(false, System.nanoTime(), 7, target, () -> "");
        assertEquals(1, target.sent.size(), "not drained yet in the new session");
        waiters.onBarrierAck(new BarrierAck(target.sent.get(0), 9)); // late, from nowhere: not this session's
        assertFalse(done.isDone());
        waiters.complete(true, System.nanoTime(), 7, target, () -> "");
        assertEquals(2, target.sent.size());
        waiters.onBarrierAck(new BarrierAck(target.sent.get(1), 11));
        assertEquals(11L, done.getNow(-1L));
    }

    private static final class FakeTarget implements SyncWaiters.Barriers {
        boolean journal;
        long session = 1;
        final List<Long> sent = new ArrayList<>();

        @Override
        public boolean journal() {
            return journal;
        }

        @Override
        public long sessionNumber() {
            return session;
        }

        @Override
        public void send(long barrierId) {
            sent.add(barrierId);
        }
    }
}
