package io.replicator.target.apply;

import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.guard.PeerText;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.target.TargetMetrics;
import io.replicator.target.internal.FleetFile;
import io.replicator.target.internal.SourceRecord;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durability bookkeeping of one session, and its force thread (BookKeeper's force-write
 * thread): the apply thread writes blocks and asks for a commit; the force thread forces every
 * volume, persists the progress file (in place after its first write: {@link ProgressFile}) and only then acks the highest sequence it covered. While the
 * device syncs one group, the apply thread goes on writing the next, and requests made during a
 * force are coalesced into the following one; forces start at least {@link #MIN_FORCE_SPACING_NS}
 * apart.
 *
 * <p>Threads: {@link #applied}, {@link #requestCommit} and {@link #commit} belong to the apply
 * thread; the force thread owns the forcing. The requested and durable sequences and a failure
 * are shared under this object's monitor. A failed force or progress write ends the session: the
 * force thread tells the source, and the apply thread's next call throws it.
 */
final class GroupCommit implements AutoCloseable {
    /**
     * Forces start at least this far apart; requests made meanwhile join the next one. Bounds the
     * syncs per second under a trickle of small writes at the cost of this much acknowledgement delay.
     */
    static final long MIN_FORCE_SPACING_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** The source's {@code fleet} file is replaced at most this often after commits. */
    static final long FLEET_WRITE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    private final ProgressFile progressFile;
    private final SourceRecord source;
    private final SessionLink link;
    private final TargetMetrics metrics;
    private List<TargetVolume> volumes = List.of();
    private Thread forcer;

    // Apply thread only.
    private long highestApplied;
    private long bytesSinceCommit;
    private long firstPendingNs;
    private boolean pending;

    // Shared, guarded by this.
    private long requestedSequence;
    /** Bytes applied up to {@code requestedSequence} and not yet forced. */
    private long requestedNewBytes;
    /** Per volume, the bytes written when the commit of {@link #requestedSequence} was asked for. */
    private long[] requestedBytes = new long[0];
    private volatile long durableSequence;
    private ApplyFailure failure;
    private boolean closed;
    // Force thread only.
    private long nextFleetWriteNs;

    GroupCommit(ProgressFile progressFile, SourceRecord source, SessionLink link, TargetMetrics metrics) {
        this.progressFile = progressFile;
        this.source = source;
        this.link = link;
        this.metrics = metrics;
    }

    /** Reads the durable sequence the volumes were left at, and starts the force thread for them. */
    void resumeFrom(List<TargetVolume> sessionVolumes, String sourceId) throws IOException {
        durableSequence = progressFile.read();
        highestApplied = durableSequence;
        requestedSequence = durableSequence;
        source.durableSequence(durableSequence);
        volumes = List.copyOf(sessionVolumes);
        requestedBytes = new long[volumes.size()];
        FleetFile.Entry before = readFleet();
        for (TargetVolume v : volumes) {
            if (before != null) {
                before.volumes().stream().filter(f -> f.name().equals(v.info().name())).findFirst()
                        .ifPresent(f -> v.progress().durableBefore(f.durableBytes()));
            }
        }
        forcer = new Thread(this::forceLoop, "replicator-force-" + PeerText.escape(sourceId));
        forcer.setDaemon(true);
        forcer.start();
    }

    long durableSequence() {
        return durableSequence;
    }

    boolean pending() {
        return pending;
    }

    long bytesSinceCommit() {
        return bytesSinceCommit;
    }

    long firstPendingNs() {
        return firstPendingNs;
    }

    /** Block {@code sequence} of {@code lengthBytes} was written, not yet forced. */
    void applied(long sequence, int lengthBytes) {
        highestApplied = sequence;
        bytesSinceCommit += lengthBytes;
        if (!pending) {
            pending = true;
            firstPendingNs = System.nanoTime();
        }
    }

    /** Asks the force thread to make everything applied so far durable and ack it; does not wait. */
    synchronized void requestCommit() throws ApplyFailure {
        throwIfFailed();
        if (!pending) {
            return;
        }
        requestedSequence = highestApplied;
        requestedNewBytes += bytesSinceCommit;
        for (int i = 0; i < volumes.size(); i++) {
            requestedBytes[i] = volumes.get(i).progress().requestCommit();
        }
        pending = false;
        bytesSinceCommit = 0;
        notifyAll();
    }

    /** Makes everything applied so far durable and acked, and waits for it. */
    void commit() throws ApplyFailure, InterruptedException {
        requestCommit();
        synchronized (this) {
            while (durableSequence < highestApplied && failure == null) {
                wait();
            }
        }
        throwIfFailed();
    }

    synchronized void throwIfFailed() throws ApplyFailure {
        if (failure != null) {
            throw failure;
        }
    }

    private void forceLoop() {
        long lastForceNs = System.nanoTime() - MIN_FORCE_SPACING_NS;
        while (true) {
            long target;
            long newBytes;
            long[] bytes;
            synchronized (this) {
                while (requestedSequence <= durableSequence && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (requestedSequence <= durableSequence) {
                    return;
                }
                long earlyNs = lastForceNs + MIN_FORCE_SPACING_NS - System.nanoTime();
                if (earlyNs > 0 && !closed) {
                    // A trickle of small writes would otherwise force (three syncs) back to back.
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, earlyNs);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                target = requestedSequence;
                newBytes = requestedNewBytes;
                requestedNewBytes = 0;
                bytes = requestedBytes.clone();
            }
            lastForceNs = System.nanoTime();
            try {
                force(target);
            } catch (ApplyFailure e) {
                synchronized (this) {
                    failure = e;
                    notifyAll();
                }
                link.fail(e.code(), e.getMessage());
                return;
            }
            synchronized (this) {
                durableSequence = target;
                notifyAll();
            }
            source.durableSequence(target);
            metrics.durable(source.id(), newBytes, target);
            for (int i = 0; i < bytes.length; i++) {
                volumes.get(i).progress().durable(bytes[i], target);
            }
            if (System.nanoTime() - nextFleetWriteNs >= 0) {
                writeFleet();
                nextFleetWriteNs = System.nanoTime() + FLEET_WRITE_INTERVAL_NS;
            }
            if (link.send(new Ack(target))) {
                metrics.ackSent();
            }
        }
    }

    private void force(long target) throws ApplyFailure {
        for (TargetVolume volume : volumes) {
            long startNs = System.nanoTime();
            try {
                volume.force();
            } catch (IOException e) {
                throw ioFailure("target volume " + volume, "forcing it to stable storage", e);
            }
            metrics.fsync(System.nanoTime() - startNs);
        }
        try {
            progressFile.write(target);
        } catch (IOException e) {
            throw ioFailure("progress file " + progressFile.path(), "recording sequence " + target, e);
        }
    }

    /** An IO_ERROR naming what failed, why, and what the admin does next; nothing past the last ack is durable. */
    ApplyFailure ioFailure(String what, String doing, IOException e) {
        String reason = e.getMessage() != null ? e.getMessage() : e.toString();
        String advice = reason.contains("No space") ? "free space and restart" : "check the device (dmesg) and restart";
        long durable = durableSequence;
        String message = String.format("%s: %s (while %s); %s: the source resumes from sequence %d (%d is durable)",
                what, reason, doing, advice, durable + 1, durable);
        return new ApplyFailure(ErrorCode.IO_ERROR, message, e);
    }

    /** Stops the force thread after the commits already requested; the volumes stay open. */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        if (forcer != null) {
            forcer.join();
            writeFleet();
        }
        try {
            progressFile.close();
        } catch (IOException e) {
            LOG.warn("cannot close {}: {}", progressFile.path(), e.toString());
        }
    }

    /** The source's {@code fleet} file as the last session left it, or null (none, or unreadable: logged). */
    private FleetFile.Entry readFleet() {
        try {
            return FleetFile.read(progressFile.path().getParent());
        } catch (IOException e) {
            LOG.warn("fleet view: cannot read {}: {}; its durable bytes count from zero", progressFile.path()
                    .resolveSibling(FleetFile.FILE_NAME), e.toString());
            return null;
        }
    }

    /** Replaces the source's {@code fleet} file: bookkeeping, so a failure is logged and costs nothing else. */
    private void writeFleet() {
        try {
            FleetFile.write(progressFile.path().getParent(), source.fleetEntry());
        } catch (IOException | RuntimeException e) {
            LOG.warn("fleet view: cannot write {}: {}", progressFile.path().resolveSibling(FleetFile.FILE_NAME),
                    e.toString());
        }
    }
}
