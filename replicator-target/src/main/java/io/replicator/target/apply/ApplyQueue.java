package io.replicator.target.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The hand-over from one session's event loop (the only producer) to its apply thread (the only
 * consumer). Bounded by back-pressure: when more than {@code maxQueuedBytes} are queued the producer
 * is told to stop reading, and told to resume once the queue falls to half of that, so the queue
 * holds at most {@code maxQueuedBytes} plus what one socket read had already decoded. Each task
 * counts {@link ApplyTask#costBytes()}: a block its payload, a hash request the answer it will
 * become. Never blocks the producer. After {@link #close()} every offered task is discarded at once. Thread-safe.
 */
public final class ApplyQueue {
    /** Told when reading should pause (called on the producer's thread) or resume (on the consumer's). */
    public interface Pressure {
        void pauseReading();

        void resumeReading();
    }

    private final LinkedBlockingQueue<ApplyTask> tasks = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final LongSupplier maxQueuedBytes;
    private final Pressure pressure;
    private boolean closed;

    public ApplyQueue(long maxQueuedBytes, Pressure pressure) {
        this(() -> maxQueuedBytes, pressure);
    }

    /** A queue whose bound may change as it runs (the receiver's total shared among its sessions). */
    public ApplyQueue(LongSupplier maxQueuedBytes, Pressure pressure) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.pressure = pressure;
    }

    /** Queues {@code task}, or discards it when the queue is closed. */
    public void offer(ApplyTask task) {
        synchronized (this) {
            if (closed) {
                task.discard();
                return;
            }
            queuedBytes.addAndGet(task.costBytes());
            tasks.add(task);
        }
        if (queuedBytes.get() > maxQueuedBytes.getAsLong() && paused.compareAndSet(false, true)) {
            pressure.pauseReading();
            // The consumer may have drained below half before it could see the pause.
            maybeResume();
        }
    }

    /** The next task, waiting at most {@code timeoutMs}; null when none came. */
    public ApplyTask poll(long timeoutMs) throws InterruptedException {
        return taken(tasks.poll(timeoutMs, TimeUnit.MILLISECONDS));
    }

    /** The next task, waiting as long as it takes. */
    public ApplyTask take() throws InterruptedException {
        return taken(tasks.take());
    }

    public boolean isEmpty() {
        return tasks.isEmpty();
    }

    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Refuses further tasks and discards every queued one. */
    public void close() {
        List<ApplyTask> left = new ArrayList<>();
        synchronized (this) {
            closed = true;
            tasks.drainTo(left);
        }
        for (ApplyTask task : left) {
            queuedBytes.addAndGet(-task.costBytes());
            task.discard();
        }
    }

    private ApplyTask taken(ApplyTask task) {
        if (task != null) {
            queuedBytes.addAndGet(-task.costBytes());
            maybeResume();
        }
        return task;
    }

    private void maybeResume() {
        if (queuedBytes.get() <= maxQueuedBytes.getAsLong() / 2 && paused.compareAndSet(true, false)) {
            pressure.resumeReading();
        }
    }
}
