package io.replicator.source.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The daemon's schedule on an injected clock: when each checkpoint starts, none piles up, a refusal is tried again. */
class CheckpointScheduleTest {
    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        long millis = 1_000_000;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static CheckpointResult ok(long id) {
        return new CheckpointResult(CheckpointResult.OK, "journaled", id, "2026-12-07T10:00:00Z", "scheduled", 40, 0,
                1, List.of("root"), true, null);
    }

    @Test
    void shouldTakeOneEveryIntervalAfterThePreviousStartedAndNeverTwoAtOnce() {
        TestClock clock = new TestClock();
        List<CompletableFuture<CheckpointResult>> started = new ArrayList<>();
        List<CheckpointResult> ended = new ArrayList<>();
        CheckpointSchedule schedule = new CheckpointSchedule(60_000, clock, () -> {
            CompletableFuture<CheckpointResult> f = new CompletableFuture<>();
            started.add(f);
            return f;
        }, ended::add);
        assertFalse(schedule.tick(), "not before the first interval");
        clock.millis += 59_999;
        assertFalse(schedule.tick());
        clock.millis += 1;
        long firstStartedMs = clock.millis;
        assertTrue(schedule.tick());
        clock.millis += 30_000;
        assertFalse(schedule.tick(), "the one running is not joined by another");
        started.get(0).complete(ok(1));
        assertEquals(1, ended.size());
        assertEquals(firstStartedMs + 60_000, schedule.nextDueMs(), "the next an interval after the last one started");
        assertFalse(schedule.tick());
        clock.millis += 90_000;
        assertTrue(schedule.tick(), "one that ran late does not make two due: one starts");
        assertFalse(schedule.tick());
        assertEquals(2, started.size());
    }

    @Test
    void shouldTryARefusedCheckpointAgainAtTheNextLook() {
        TestClock clock = new TestClock();
        List<CompletableFuture<CheckpointResult>> started = new ArrayList<>();
        CheckpointSchedule schedule = new CheckpointSchedule(10_000, clock, () -> {
            CompletableFuture<CheckpointResult> f = new CompletableFuture<>();
            started.add(f);
            return f;
        }, r -> { });
        clock.millis += 10_000;
        assertTrue(schedule.tick());
        started.get(0).complete(CheckpointResult.refused("a cutover is running"));
        clock.millis += 1_000;
        assertTrue(schedule.tick(), "refused: tried again without waiting a whole interval");
        started.get(1).completeExceptionally(new IllegalStateException("refused"));
        assertTrue(schedule.tick());
        assertEquals(3, started.size());
    }

    @Test
    void shouldRefuseANonPositiveInterval() {
        assertThrows(IllegalArgumentException.class, () -> new CheckpointSchedule(0, new TestClock(),
                CompletableFuture::new, r -> { }));
    }
}
