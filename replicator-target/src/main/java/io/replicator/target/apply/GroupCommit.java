package io.replicator.target.apply;

import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.target.TargetMetrics;
import io.replicator.target.internal.SourceRecord;
import java.io.IOException;
import java.util.List;

/**
 * The durability bookkeeping of one session: what was applied, what is durable, and the commit
 * that moves the one to the other (force each dirty volume, persist the progress file, then ack).
 * Not thread-safe: owned by the session's apply thread.
 */
final class GroupCommit {
    private final ProgressFile progressFile;
    private final SourceRecord source;
    private final SessionLink link;
    private final TargetMetrics metrics;
    private long durableSequence;
    private long highestApplied;
    private long bytesSinceCommit;
    private long firstPendingNs;
    private boolean pending;

    GroupCommit(ProgressFile progressFile, SourceRecord source, SessionLink link, TargetMetrics metrics) {
        this.progressFile = progressFile;
        this.source = source;
        this.link = link;
        this.metrics = metrics;
    }

    /** Reads the durable sequence the volumes were left at. */
    void resumeFrom() throws IOException {
        durableSequence = progressFile.read();
        highestApplied = durableSequence;
        source.durableSequence(durableSequence);
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

    /** Makes everything applied durable and acks it; does nothing when nothing is pending. */
    void commit(List<TargetVolume> volumes) throws ApplyFailure {
        if (!pending) {
            return;
        }
        for (TargetVolume volume : volumes) {
            if (volume.dirty()) {
                long startNs = System.nanoTime();
                try {
                    volume.force();
                } catch (IOException e) {
                    throw ioFailure("target volume " + volume, "forcing it to stable storage", e);
                }
                metrics.fsync(System.nanoTime() - startNs);
            }
        }
        try {
            progressFile.write(highestApplied);
        } catch (IOException e) {
            throw ioFailure("progress file " + progressFile.path(), "recording sequence " + highestApplied, e);
        }
        durableSequence = highestApplied;
        source.durableSequence(durableSequence);
        pending = false;
        bytesSinceCommit = 0;
        if (link.send(new Ack(durableSequence))) {
            metrics.ackSent();
        }
    }

    /** An IO_ERROR naming what failed, why, and what the admin does next; nothing past the last ack is durable. */
    ApplyFailure ioFailure(String what, String doing, IOException e) {
        String reason = e.getMessage() != null ? e.getMessage() : e.toString();
        String advice = reason.contains("No space") ? "free space and restart" : "check the device (dmesg) and restart";
        String message = String.format("%s: %s (while %s); %s: the source resumes from sequence %d (%d is durable)",
                what, reason, doing, advice, durableSequence + 1, durableSequence);
        return new ApplyFailure(ErrorCode.IO_ERROR, message, e);
    }
}
