package io.replicator.target.apply;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Turns at the receiver's disk, taken in rounds among the sessions that have blocks to write: in one
 * round each such session writes at most {@code quantumBytes}; a session that has written its
 * quantum waits until every other session with work has written its own, or has run out of work
 * ({@link #rest}), and then a new round begins. So when the disk is the bottleneck (writes block
 * in the kernel, or forces take long) each busy session gets an equal share of the bytes written,
 * whatever the order in which the kernel lets the threads through; a session without work takes
 * no share and holds nobody up. When none of the sessions that have not finished their quantum
 * has written for {@code maxStallNs}, the round ends without them, so a session that stops between
 * two writes (a force it waits for, a thread the machine does not run) delays the others by at
 * most that; a disk that is only slow keeps the round going.
 *
 * <p>Thread-safe: the apply threads of every session call it; all state is guarded by this
 * object's monitor. Each session holds its own {@link Turn}, confined to its apply thread.
 */
public final class WriteTurns {
    /** What one busy session may write in a round. */
    public static final long DEFAULT_QUANTUM_BYTES = 1L << 20;
    /** A round ends when the sessions that have not finished it have written nothing for this long. */
    public static final long DEFAULT_MAX_STALL_MS = 200;

    private final long quantumBytes;
    private final long maxStallNs;
    private final LongSupplier nanoTime;
    private final Set<Turn> busy = new LinkedHashSet<>();
    private long round;
    /** When a session within its quantum last wrote, or the round began. */
    private long progressNs;

    /** One session's place in the rounds. Its apply thread only. */
    public static final class Turn {
        private long round = -1;
        private long usedBytes;
    }

    public WriteTurns() {
        this(DEFAULT_QUANTUM_BYTES, TimeUnit.MILLISECONDS.toNanos(DEFAULT_MAX_STALL_MS), System::nanoTime);
    }

    /** Rounds of {@code quantumBytes} per busy session that end after a stall of {@code maxStallNs} on the clock {@code nanoTime}. */
    public WriteTurns(long quantumBytes, long maxStallNs, LongSupplier nanoTime) {
        if (quantumBytes <= 0 || maxStallNs <= 0) {
            throw new IllegalArgumentException("quantum and stall must be positive: " + quantumBytes + ", "
                    + maxStallNs);
        }
        this.quantumBytes = quantumBytes;
        this.maxStallNs = maxStallNs;
        this.nanoTime = nanoTime;
        this.progressNs = nanoTime.getAsLong();
    }

    /**
     * Waits for the turn of {@code turn} to write {@code bytes}, and counts them: returns at once while
     * its quantum of this round lasts, else once a new round has begun.
     */
    public synchronized void take(Turn turn, int bytes) throws InterruptedException {
        busy.add(turn);
        while (turn.round == round && turn.usedBytes >= quantumBytes) {
            long leftNs = progressNs + maxStallNs - nanoTime.getAsLong();
            if (leftNs <= 0 || everyBusyDone()) {
                nextRound();
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, leftNs);
        }
        if (turn.round != round) {
            turn.round = round;
            turn.usedBytes = 0;
        }
        turn.usedBytes += bytes;
        progressNs = nanoTime.getAsLong();
    }

    /**
     * {@code turn} writes nothing now (its queue is empty, it waits for a force, answers a hash
     * request or skips zeros the volume holds): it takes no share, and nobody waits for it.
     */
    public synchronized void rest(Turn turn) {
        if (busy.remove(turn) && !busy.isEmpty() && everyBusyDone()) {
            nextRound();
        }
    }

    /** Sessions with work now. */
    public synchronized int busySessions() {
        return busy.size();
    }

    private boolean everyBusyDone() {
        for (Turn t : busy) {
            if (t.round != round || t.usedBytes < quantumBytes) {
                return false;
            }
        }
        return true;
    }

    private void nextRound() {
        round++;
        progressNs = nanoTime.getAsLong();
        notifyAll();
    }
}
