package io.replicator.target.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The rounds of {@link WriteTurns}, on a simulated clock. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteTurnsTest {
    private static final long QUANTUM = 100;
    private static final long STALL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private final AtomicLong clockNs = new AtomicLong();
    private final WriteTurns turns = new WriteTurns(QUANTUM, STALL_NS, clockNs::get);
    private final WriteTurns.Turn a = new WriteTurns.Turn();
    private final WriteTurns.Turn b = new WriteTurns.Turn();

    @Test
    void shouldNeverHoldUpASessionAlone() throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            turns.take(a, 60);
        }
        assertEquals(1, turns.busySessions());
        turns.rest(a);
        assertEquals(0, turns.busySessions());
    }

    @Test
    void shouldHoldASessionThatUsedItsQuantumUntilTheOthersUsedTheirs() throws Exception {
        turns.take(a, 60);
        turns.take(b, 60);
        turns.take(a, 60);
        assertHeldUntil(a, () -> turns.take(b, 60), "a has used its quantum of the round while b has not");
    }

    @Test
    void shouldLetASessionOnWhenTheOtherRunsOutOfWork() throws Exception {
        turns.take(b, 10);
        turns.take(a, 100);
        assertHeldUntil(a, () -> turns.rest(b), "b is busy and has not used its quantum");
    }

    @Test
    void shouldEndARoundThatStalls() throws Exception {
        turns.take(b, 10);
        turns.take(a, 100);
        clockNs.addAndGet(STALL_NS - 1);
        assertHeldUntil(a, () -> clockNs.addAndGet(STALL_NS), "b wrote less than the stall ago");
    }

    /** A write of {@code turn} waits (checked for 100 ms) until {@code release} has run. */
    private void assertHeldUntil(WriteTurns.Turn turn, Release release, String why) throws Exception {
        CompletableFuture<Void> next = CompletableFuture.runAsync(() -> take(turn, 100));
        Thread.sleep(100);
        assertTrue(!next.isDone(), why);
        release.run();
        next.get(30, TimeUnit.SECONDS);
    }

    private interface Release {
        void run() throws Exception;
    }

    private void take(WriteTurns.Turn turn, int bytes) {
        try {
            turns.take(turn, bytes);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
