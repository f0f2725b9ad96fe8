package io.replicator.target.apply;

import io.replicator.protocol.block.BlockDecoder;
import io.replicator.protocol.guard.PeerText;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CheckpointAck;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.target.TargetMetrics;
import io.replicator.target.internal.SourceRecord;
import io.replicator.target.journal.CheckpointInfo;
import io.replicator.target.journal.JournalFullException;
import io.replicator.target.journal.MarkerKind;
import io.replicator.target.journal.SourceJournal;
import io.replicator.target.journal.VolumeRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session in its source's journal phase (after the initial copy): blocks are checked and appended to
 * the source's redo journal, a sync thread forces it (group commit) and acks what is durable, and a
 * {@link JournalFollower} applies it to the volumes behind. Blocks are acked once the journal holds
 * them; what promises or reads the volumes (barriers, hash requests, a cutover report) first waits
 * until the volumes have applied everything before it. A full journal disk refuses the block with {@code IO_ERROR}, naming
 * the disk; nothing not durable is acked.
 *
 * <p>Threads: the session's apply thread owns it (appends, prunes the redo journal, closes); the sync
 * thread only syncs and acks. The requested and acked sequences and a failure are guarded by this.
 */
final class JournalSession {
    /** The redo journal is pruned at most this often. */
    static final long PRUNE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** How long a hash request or a cutover report waits at most for the volumes to catch up. */
    static final long APPLY_WAIT_NS = TimeUnit.MINUTES.toNanos(10);
    private static final Logger log = LoggerFactory.getLogger(JournalSession.class);

    private final SourceHistories.History history;
    private final SourceJournal redo;
    private final JournalFollower follower;
    private final SessionLink link;
    private final SourceRecord source;
    private final TargetMetrics metrics;
    private final BlockDecoder decoder = new BlockDecoder();
    /** A block is decoded here to check it: the buffer of the session's apply thread ({@link Applier}). */
    private final ByteBuffer scratch;
    private final Thread syncer;
    private final long startSequence;
    // Apply thread only.
    private long bytesSinceCheckpoint;
    private long lastPruneNs;
    // Shared, guarded by this.
    private long appendedSequence;
    private long appendedBytes;
    private long requestedSequence;
    private long ackedSequence;
    private ApplyFailure failure;
    private boolean closed;

    private JournalSession(SourceHistories.History history, SourceJournal redo, JournalFollower follower,
                           SessionLink link, SourceRecord source, TargetMetrics metrics, long startSequence,
                           ByteBuffer scratch) {
        this.history = history;
        this.scratch = scratch;
        this.redo = redo;
        this.follower = follower;
        this.link = link;
        this.source = source;
        this.metrics = metrics;
        this.startSequence = startSequence;
        this.appendedSequence = durableSequence();
        this.requestedSequence = appendedSequence;
        this.ackedSequence = appendedSequence;
        this.syncer = new Thread(this::syncLoop, "replicator-journal-sync-" + PeerText.escape(history.sourceId()));
        this.syncer.setDaemon(true);
    }

    /**
     * Opens the source's redo journal (repairing a damaged tail), starts its follower from where the
     * volumes are ({@code state}) and the sync thread.
     */
    static JournalSession open(SourceHistories.History history, List<TargetVolume> volumes, AppliedFile appliedFile,
                               AppliedFile.State state, WriteTurns turns, SessionLink link, SourceRecord source,
                               TargetMetrics metrics, ByteBuffer scratch) throws IOException {
        SourceJournal redo = SourceJournal.open(history.redoConfig(), history.sourceId());
        try {
            if (state.appliedPosition() > redo.durablePosition()) {
                // The journal's tail was cut (damage) below what the volumes applied: they hold more than it.
                // Follow from its new end; the source resends after the sequence the volumes hold.
                log.warn("source {}: its journal {} ends at 0x{} but the volumes applied up to 0x{} (sequence {}): "
                        + "following from the journal's end", PeerText.escape(history.sourceId()), redo.dir(),
                        Long.toHexString(redo.durablePosition()), Long.toHexString(state.appliedPosition()),
                        state.appliedSequence());
                state = state.applied(redo.durablePosition(), state.appliedSequence());
                appliedFile.write(state);
            }
            JournalFollower follower = new JournalFollower(history, redo, volumes, appliedFile, state, turns, metrics);
            history.session(volumes.stream().map(v -> new VolumeRef(v.info().name(), volumes.indexOf(v), v.path(),
                    v.info().sizeBytes(), v.info().blockSizeBytes())).toList(), redo, follower, state.startTimeMs());
            JournalSession session = new JournalSession(history, redo, follower, link, source, metrics,
                    Math.max(state.startSequence(), state.appliedSequence()), scratch);
            follower.start();
            session.syncer.start();
            return session;
        } catch (RuntimeException e) {
            redo.close();
            throw e;
        }
    }

    /** The highest sequence durable: in the journal, or on the volumes before it began. */
    long durableSequence() {
        return Math.max(redo.durableSequence(), startSequence);
    }

    /** Checks {@code frame}'s payload against its CRC32C and appends it; acked once the journal is synced. */
    void append(BlockFrame frame) throws ApplyFailure {
        throwIfFailed();
        decoder.decode(frame, scratch);
        try {
            redo.appendBlock(frame.volume(), frame.encoding(), frame.sequence(), frame.offset(), frame.length(),
                    frame.crc32c(), frame.payload().nioBuffer());
        } catch (JournalFullException e) {
            commitQuietly();
            throw new ApplyFailure(ErrorCode.IO_ERROR, String.format("source %s: block %d refused: %s; the journal's "
                    + "disk (--journal-dir %s) needs space: the source keeps its changes and resends from sequence %d "
                    + "once space returns", history.sourceId(), frame.sequence(), e.getMessage(),
                    history.journalConfig().dir(), durableSequence() + 1), e);
        } catch (IOException e) {
            throw ioFailure("appending block " + frame.sequence(), e);
        }
        bytesSinceCheckpoint += frame.length();
        synchronized (this) {
            appendedSequence = frame.sequence();
            appendedBytes += frame.length();
            requestedSequence = appendedSequence;
            notifyAll();
        }
    }

    /** Makes everything appended durable and acked; waits for it. */
    void commit() throws ApplyFailure, InterruptedException {
        synchronized (this) {
            requestedSequence = appendedSequence;
            notifyAll();
            while (ackedSequence < appendedSequence && failure == null) {
                wait();
            }
        }
        throwIfFailed();
    }

    private void commitQuietly() {
        try {
            commit();
        } catch (ApplyFailure e) {
            log.warn("source {}: syncing its journal failed: {}", PeerText.escape(history.sourceId()), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Makes everything appended durable, then waits until the volumes have applied and forced it. */
    void awaitApplied() throws ApplyFailure, InterruptedException {
        commit();
        try {
            if (!follower.awaitApplied(redo.durablePosition(), APPLY_WAIT_NS)) {
                throw new ApplyFailure(ErrorCode.IO_ERROR, String.format("source %s: the volumes did not catch up "
                        + "with the journal within %d s", history.sourceId(),
                        TimeUnit.NANOSECONDS.toSeconds(APPLY_WAIT_NS)), null);
            }
        } catch (IOException e) {
            throw ioFailure("applying the journal to the volumes", e);
        }
    }

    /** A consistent checkpoint: its marker journaled and durable, recorded in the catalogue; the answer. */
    CheckpointAck checkpoint(Checkpoint checkpoint, List<String> volumeNames) throws ApplyFailure, InterruptedException {
        if (checkpoint.kind() == Checkpoint.Kind.INITIAL_COPY_DONE) {
            commit();
            return new CheckpointAck(checkpoint.requestId(), false, "the initial copy is complete; changes are "
                    + "journaled from sequence " + (startSequence + 1));
        }
        var known = history.catalog().find(Long.toString(checkpoint.checkpointId()));
        if (known.isPresent()) {
            commit(); // sent again after a reconnect: journaled already
            return answer(checkpoint, known.get());
        }
        // Blocks the source sent after the checkpoint's sequence and before its frame would lie before the
        // marker in the journal: such a checkpoint is recorded, not launchable.
        long appended = appendedSequenceNow();
        String late = checkpoint.sequence() < appended ? String.format("blocks after its sequence %d (up to %d) "
                + "arrived before it", checkpoint.sequence(), appended) : "";
        try {
            redo.appendMarker(MarkerKind.CHECKPOINT, checkpoint.checkpointId(), appended, checkpoint.label());
        } catch (JournalFullException e) {
            commitQuietly();
            throw new ApplyFailure(ErrorCode.IO_ERROR, String.format("source %s: checkpoint %d refused: %s; the "
                    + "journal's disk (--journal-dir %s) needs space", history.sourceId(), checkpoint.checkpointId(),
                    e.getMessage(), history.journalConfig().dir()), e);
        } catch (IOException e) {
            throw ioFailure("appending checkpoint " + checkpoint.checkpointId(), e);
        }
        synchronized (this) {
            // The marker counts as an append: the sync covers it.
            requestedSequence = appendedSequence;
        }
        forceMarker();
        boolean gap = follower.inGap();
        CheckpointInfo info = new CheckpointInfo(history.sourceId(), checkpoint.checkpointId(), checkpoint.timeMs(),
                checkpoint.label(), checkpoint.freezeMs(), volumeNames, bytesSinceCheckpoint, -1,
                late.isEmpty() ? CheckpointInfo.State.PENDING : CheckpointInfo.State.NOT_LAUNCHABLE,
                !late.isEmpty() ? late : gap ? "history gap: undo is not being kept (journal disk full)" : "");
        bytesSinceCheckpoint = 0;
        try {
            history.catalog().put(info);
        } catch (IOException e) {
            throw ioFailure("recording checkpoint " + checkpoint.checkpointId() + " in " + history.catalog().file(), e);
        }
        return answer(checkpoint, info);
    }

    private static CheckpointAck answer(Checkpoint checkpoint, CheckpointInfo info) {
        boolean launchable = info.state() == CheckpointInfo.State.PENDING || info.launchable();
        return new CheckpointAck(checkpoint.requestId(), launchable && info.reason().isEmpty(),
                launchable && info.reason().isEmpty() ? "" : info.state() + ": " + info.reason());
    }

    private synchronized long appendedSequenceNow() {
        return appendedSequence;
    }

    /** Syncs the journal so that a marker just appended is durable (it carries no new sequence to wait for). */
    private void forceMarker() throws ApplyFailure {
        try {
            redo.sync();
        } catch (IOException e) {
            throw ioFailure("syncing the journal", e);
        }
        follower.wake();
    }

    /** Prunes the redo journal up to what the volumes applied; at most every {@link #PRUNE_INTERVAL_NS}. */
    void maintain() throws ApplyFailure {
        throwIfFailed();
        try {
            follower.throwIfFailed();
        } catch (IOException e) {
            throw ioFailure("applying the journal to the volumes", e);
        }
        if (System.nanoTime() - lastPruneNs < PRUNE_INTERVAL_NS) {
            return;
        }
        lastPruneNs = System.nanoTime();
        try {
            history.redoRetention(redo.prune(follower.forcedPosition()));
        } catch (IOException e) {
            log.warn("source {}: pruning its redo journal failed: {}", PeerText.escape(history.sourceId()), e.toString());
        }
    }

    /** Syncs what was appended, lets the follower apply it, and closes the journal. */
    void close() {
        commitQuietly();
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            syncer.join();
            follower.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        history.sessionEnded();
        try {
            history.redoRetention(redo.retention());
            redo.close();
        } catch (IOException | RuntimeException e) {
            log.warn("source {}: closing its journal failed: {}", PeerText.escape(history.sourceId()), e.toString());
        }
    }

    private synchronized void throwIfFailed() throws ApplyFailure {
        if (failure != null) {
            throw failure;
        }
    }

    private ApplyFailure ioFailure(String doing, IOException e) {
        String reason = e.getMessage() != null ? e.getMessage() : e.toString();
        return new ApplyFailure(ErrorCode.IO_ERROR, String.format("source %s: journal %s: %s (while %s); the source "
                + "resumes from sequence %d", history.sourceId(), history.redoDir(), reason, doing,
                durableSequence() + 1), e);
    }

    private void syncLoop() {
        while (true) {
            long bytes;
            synchronized (this) {
                while (requestedSequence <= ackedSequence) {
                    if (closed) {
                        return;
                    }
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                bytes = appendedBytes;
                appendedBytes = 0;
            }
            long durable;
            try {
                durable = redo.sync();
            } catch (IOException e) {
                ApplyFailure failed = ioFailure("syncing the journal", e);
                synchronized (this) {
                    failure = failed;
                    notifyAll();
                }
                link.fail(failed.code(), failed.getMessage());
                return;
            }
            synchronized (this) {
                ackedSequence = Math.max(ackedSequence, durable);
                notifyAll();
            }
            follower.wake();
            source.durableSequence(durable);
            metrics.durable(history.sourceId(), bytes, durable);
            if (link.send(new Ack(durable))) {
                metrics.ackSent();
            }
        }
    }
}
