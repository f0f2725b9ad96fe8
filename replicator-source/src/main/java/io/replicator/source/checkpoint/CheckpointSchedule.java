package io.replicator.source.checkpoint;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's checkpoints every {@code everyMs} ({@code --checkpoint-every}): the first one
 * {@code everyMs} after the start, each next one {@code everyMs} after the previous one started; one
 * that is due while the previous one still runs waits for it, and a checkpoint refused (another
 * operation runs) is tried again at the next look, so none piles up. The clock is handed in; {@link
 * #tick} is one look at it. Thread-safe: {@link #start} looks from a timer thread of its own.
 */
public final class CheckpointSchedule implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointSchedule.class);
    /** How often the timer looks at the clock, at most. */
    static final long LOOK_INTERVAL_MS = 1_000;

    private final long everyMs;
    private final Clock clock;
    private final Supplier<CompletableFuture<CheckpointResult>> take;
    private final Consumer<CheckpointResult> ended;
    private long nextDueMs;
    private CompletableFuture<CheckpointResult> running;
    private ScheduledExecutorService timer;

    /** Takes a checkpoint with {@code take} every {@code everyMs} by {@code clock}; hands each outcome to {@code ended}. */
    public CheckpointSchedule(long everyMs, Clock clock, Supplier<CompletableFuture<CheckpointResult>> take,
                              Consumer<CheckpointResult> ended) {
        if (everyMs <= 0) {
            throw new IllegalArgumentException("invalid checkpoint interval: " + everyMs + " ms (expected: > 0)");
        }
        this.everyMs = everyMs;
        this.clock = clock;
        this.take = take;
        this.ended = ended;
        this.nextDueMs = clock.millis() + everyMs;
    }

    /** One look at the clock: starts a checkpoint when one is due and none of ours runs; true when it started one. */
    public synchronized boolean tick() {
        if (running != null && !running.isDone()) {
            return false;
        }
        long now = clock.millis();
        if (now < nextDueMs) {
            return false;
        }
        CompletableFuture<CheckpointResult> started;
        try {
            started = take.get();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        running = started;
        started.whenComplete((r, e) -> {
            CheckpointResult result = e == null ? r : CheckpointResult.refused(
                    e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : String.valueOf(e));
            synchronized (this) {
                // refused (another operation ran): try again at the next look; else the next one is a whole interval on
                nextDueMs = CheckpointResult.REFUSED.equals(result.result()) ? nextDueMs : now + everyMs;
            }
            if (!result.ok()) {
                LOG.warn("scheduled checkpoint {}: {}", result.result(), result.reason());
            }
            ended.accept(result);
        });
        return true;
    }

    /** When the next checkpoint is due, by the clock's milliseconds. */
    public synchronized long nextDueMs() {
        return nextDueMs;
    }

    /** Looks at the clock from a timer thread of its own until {@link #close}. */
    public synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "checkpoint-schedule");
            t.setDaemon(true);
            return t;
        });
        long lookMs = Math.max(10, Math.min(LOOK_INTERVAL_MS, everyMs / 10));
        timer.scheduleWithFixedDelay(this::tick, lookMs, lookMs, TimeUnit.MILLISECONDS);
        LOG.info("a checkpoint every {} ms", everyMs);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
