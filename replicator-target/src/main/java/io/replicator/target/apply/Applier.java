package io.replicator.target.apply;

import io.replicator.protocol.block.BlockDecoder;
import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.block.ZeroCheck;
import io.replicator.protocol.guard.PeerText;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.Encoding;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetMetrics;
import io.replicator.target.cutover.Cutovers;
import io.replicator.target.cutover.Seal;
import io.replicator.target.internal.SourceRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply thread of one session: the only thread that touches the session's volumes and progress
 * file. It opens them, then takes tasks from the {@link ApplyQueue} in arrival order: decodes and
 * checks each block, writes it with positional writes, and commits in groups (when the queue runs
 * empty, after {@code groupCommitBytes}, or {@code groupCommitIntervalMs} after the first uncommitted
 * write): force every dirty volume, persist the progress file, then ack. Never acks before the force.
 * Hash requests and barriers are answered in order with the blocks; an answer waits while the
 * source is not reading ({@link SessionLink#send}). Each write takes its turn at the disk among the
 * sessions with work ({@link WriteTurns}), so a slow disk is shared by bytes, not by who gets through
 * first; and a hash request left when the connection is gone is skipped. A cutover report is stored,
 * and its seal written, after everything before it is durable; from then on (and in any session of a
 * source id sealed before it opened) blocks, hash requests and barriers end the session with
 * {@link ErrorCode#CUT_OVER}. However the session ends, set-up included, its {@link SourceRegistry.Claim#done()}
 * completes, so the next session of the source id proceeds. Runs on its own thread; the fields are
 * confined to it.
 */
public final class Applier implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Applier.class);

    private final String sourceId;
    private final List<VolumeInfo> infos;
    private final SourceRegistry.Claim claim;
    private final VolumeOpener opener;
    private final ApplyQueue queue;
    private final SessionLink link;
    private final TargetMetrics metrics;
    private final Cutovers cutovers;
    private final long groupCommitBytes;
    private final long groupCommitIntervalNs;
    private final WriteTurns turns;
    private final WriteTurns.Turn turn = new WriteTurns.Turn();
    private final BlockDecoder decoder = new BlockDecoder();
    private final ChunkHashes chunkHashes = new ChunkHashes();
    /** Allocated by the apply thread, so that running out of memory there fails the session, not the event loop. */
    private ByteBuffer scratch;
    private final GroupCommit commit;
    private final SourceHistories histories;
    private final AppliedFile appliedFile;
    /** The source's journal phase (after its initial copy); null before it. */
    private JournalSession journal;
    private List<TargetVolume> volumes = List.of();
    private long sessionBytes;
    private long sessionFrames;

    public Applier(String sourceId, List<VolumeInfo> infos, SourceRegistry.Claim claim, VolumeOpener opener,
                   ApplyQueue queue, SessionLink link, TargetMetrics metrics, TargetConfig config, WriteTurns turns,
                   Cutovers cutovers, SourceHistories histories) {
        this.sourceId = sourceId;
        this.histories = histories;
        this.appliedFile = new AppliedFile(opener.sourceDir(sourceId));
        this.infos = infos;
        this.claim = claim;
        this.opener = opener;
        this.queue = queue;
        this.link = link;
        this.metrics = metrics;
        this.turns = turns;
        this.cutovers = cutovers;
        this.groupCommitBytes = config.groupCommitBytes();
        this.groupCommitIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.groupCommitIntervalMs());
        this.commit = new GroupCommit(new ProgressFile(opener.sourceDir(sourceId)), claim.source(), link, metrics);
    }

    /** Starts the apply thread. */
    public void start() {
        Thread thread = new Thread(this, "replicator-apply-" + PeerText.escape(sourceId));
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        long startNs = System.nanoTime();
        boolean opened = false;
        try {
            claim.previousDone().join();
            throwIfSealed();
            scratch = ByteBuffer.allocateDirect(VolumeInfo.MAX_BLOCK_SIZE);
            volumes = opener.open(sourceId, infos);
            commit.resumeFrom(volumes, sourceId);
            AppliedFile.State phase = appliedFile.read();
            if (phase != null) {
                journal = JournalSession.open(histories.of(sourceId), volumes, appliedFile, phase, turns, link,
                        claim.source(), metrics, scratch);
                claim.source().durableSequence(journal.durableSequence());
            }
            claim.source().volumes(volumes.stream().map(TargetVolume::progress).toList());
            link.opened(durableSequence(), describe(volumes));
            opened = true;
            loop();
        } catch (ProtocolException e) {
            link.fail(e.code(), e.getMessage());
        } catch (ApplyFailure e) {
            link.fail(e.code(), e.getMessage());
        } catch (IOException e) {
            link.fail(ErrorCode.VOLUME_UNAVAILABLE, String.format("source %s: cannot open its progress or journal "
                    + "(%s, %s): %s", sourceId, opener.sourceDir(sourceId), histories.config().dir(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            link.fail(ErrorCode.SHUTTING_DOWN, "the target's apply thread for source " + sourceId + " was interrupted");
        } catch (RuntimeException | Error e) {
            // Out of memory, a bug: the session ends, and says why, rather than holding its source id.
            log.error("source {}: the apply thread failed {}", PeerText.escape(sourceId),
                    opened ? "while applying" : "while setting up the session", e);
            link.fail(opened ? ErrorCode.IO_ERROR : ErrorCode.VOLUME_UNAVAILABLE, String.format("source %s: the target "
                    + "failed %s: %s; reconnect to retry", sourceId, opened ? "while applying" : "to set up the session",
                    e));
        } finally {
            turns.rest(turn);
            queue.close();
            if (journal != null) {
                journal.close();
            }
            stopForceThread();
            closeVolumes();
            if (opened) {
                log.info("source {} disconnected: {} bytes written, {} frames applied in {} ms; durable sequence {}",
                        PeerText.escape(sourceId), sessionBytes, sessionFrames,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), durableSequence());
            }
            claim.done().complete(null);
        }
    }

    private void loop() throws InterruptedException, ApplyFailure {
        while (true) {
            if (queue.isEmpty()) {
                turns.rest(turn);
            }
            ApplyTask task = commit.pending() ? queue.poll(msUntilCommitDue())
                    : journal != null ? queue.poll(MAINTAIN_INTERVAL_MS) : queue.take();
            if (journal != null) {
                journal.maintain();
            }
            if (task == null) {
                commit.requestCommit();
                continue;
            }
            if (task instanceof ApplyTask.Stop) {
                commit.commit();
                return;
            }
            handle(task);
            if (commit.pending() && (queue.isEmpty() || commit.bytesSinceCommit() >= groupCommitBytes
                    || System.nanoTime() - commit.firstPendingNs() >= groupCommitIntervalNs)) {
                commit.requestCommit();
            } else {
                commit.throwIfFailed();
            }
        }
    }

    /** How often a session in its journal phase prunes and checks its follower while idle. */
    private static final long MAINTAIN_INTERVAL_MS = 1000;

    private long msUntilCommitDue() {
        long leftNs = groupCommitIntervalNs - (System.nanoTime() - commit.firstPendingNs());
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(leftNs));
    }

    private void handle(ApplyTask task) throws ApplyFailure, InterruptedException {
        if (!(task instanceof ApplyTask.Report)) {
            try {
                throwIfSealed();
            } catch (ProtocolException e) {
                task.discard();
                throw e;
            }
        }
        if (task instanceof ApplyTask.Apply apply) {
            BlockFrame frame = apply.frame();
            try {
                if (journal != null) {
                    journal.append(frame);
                } else {
                    applyBlock(frame);
                }
            } catch (ProtocolException e) {
                // Blocks before this one are good: make them durable and tell the source before closing.
                commit.commit();
                throw new ApplyFailure(e.code(), e.getMessage(), e);
            } finally {
                frame.release();
            }
        } else if (task instanceof ApplyTask.Hash hash) {
            turns.rest(turn);
            if (link.connected()) {
                if (journal != null) {
                    journal.awaitApplied(); // verification reads the volumes
                }
                answerHash(hash.request());
            }
        } else if (task instanceof ApplyTask.Sync sync) {
            turns.rest(turn);
            if (journal != null) {
                journal.awaitApplied(); // a barrier promises volumes that hold everything before it (sync, drain)
            } else {
                commit.commit();
            }
            link.send(new BarrierAck(sync.barrier().barrierId(), durableSequence()));
        } else if (task instanceof ApplyTask.Report report) {
            turns.rest(turn);
            commit.commit();
            if (journal != null) {
                journal.awaitApplied(); // a seal names volumes that hold everything
            }
            record(report.report());
        } else if (task instanceof ApplyTask.Point point) {
            turns.rest(turn);
            checkpoint(point.checkpoint());
        }
    }

    /** Makes everything received durable: in the journal, or on the volumes before the journal phase. */
    private void commit() throws ApplyFailure, InterruptedException {
        if (journal != null) {
            journal.commit();
        } else {
            commit.commit();
        }
    }

    private long durableSequence() {
        return journal != null ? journal.durableSequence() : commit.durableSequence();
    }

    /**
     * A checkpoint: the end of the initial copy starts the journal phase (once everything before it is
     * on the volumes, durably); a consistent one is journaled, or refused as not launchable before that.
     */
    private void checkpoint(Checkpoint checkpoint) throws ApplyFailure, InterruptedException {
        List<String> names = volumes.stream().map(v -> v.info().name()).toList();
        if (journal == null && checkpoint.kind() == Checkpoint.Kind.INITIAL_COPY_DONE) {
            commit.commit();
            try {
                journal = JournalPhase.begin(histories.of(sourceId), volumes, appliedFile, commit.durableSequence(),
                        turns, link, claim.source(), metrics, scratch);
            } catch (IOException e) {
                throw commit.ioFailure("source " + sourceId, "starting its journal in " + histories.config().dir(), e);
            }
        }
        if (journal == null) {
            commit.commit();
            try {
                link.send(JournalPhase.notLaunchable(checkpoint, histories.of(sourceId), names));
            } catch (IOException e) {
                throw commit.ioFailure("source " + sourceId, "recording checkpoint " + checkpoint.checkpointId(), e);
            }
            return;
        }
        link.send(journal.checkpoint(checkpoint, names));
    }

    /** A sealed source gets nothing more applied: {@code CUT_OVER}, naming when and by which report. */
    private void throwIfSealed() {
        Optional<Seal> seal = cutovers.find(sourceId);
        if (seal.isPresent()) {
            throw new ProtocolException(ErrorCode.CUT_OVER, seal.get().refusal());
        }
    }

    /**
     * Stores the report and, when asked, seals the source with the session's volumes; answers once both
     * are durable. Skipped when the connection is gone: a source that cannot learn of its seal is not
     * sealed.
     */
    private void record(CutoverReport report) throws ApplyFailure {
        if (!link.connected()) {
            log.warn("source {}: the connection closed before its cutover report {} was stored; not stored{}",
                    PeerText.escape(sourceId), report.reportId(), report.seal() ? ", not sealed" : "");
            return;
        }
        List<Seal.Volume> sealed = volumes.stream().map(v -> new Seal.Volume(v.info().name(), v.path().toString(),
                v.info().sizeBytes())).toList();
        boolean isSealed;
        try {
            isSealed = cutovers.record(sourceId, report, sealed);
        } catch (IOException e) {
            throw commit.ioFailure("source " + sourceId, "recording its cutover report " + report.reportId(), e);
        }
        link.send(new CutoverReportAck(report.requestId(), isSealed));
    }

    private void applyBlock(BlockFrame frame) throws ApplyFailure, InterruptedException {
        TargetVolume volume = volumes.get(frame.volume());
        ByteBuffer plain = decoder.decode(frame, scratch);
        try {
            if (frame.encoding() != Encoding.ZERO || !volume.holdsZeros(frame.offset(), frame.length())) {
                turns.take(turn, frame.length());
                volume.write(plain, frame.offset());
            } else {
                // Zeros the volume already holds: no write, so no share of the disk to hold for others.
                turns.rest(turn);
            }
        } catch (IOException e) {
            throw commit.ioFailure("target volume " + volume, "writing " + frame.length() + " bytes at offset "
                    + frame.offset(), e);
        }
        commit.applied(frame.sequence(), frame.length());
        metrics.bytesWritten(frame.length());
        metrics.frameApplied();
        sessionBytes += frame.length();
        sessionFrames++;
    }

    private void answerHash(HashRequest request) throws ApplyFailure {
        TargetVolume volume = volumes.get(request.volume());
        long sizeBytes = volume.info().sizeBytes();
        byte[][] hashes = new byte[request.count()][];
        for (int i = 0; i < hashes.length; i++) {
            long position = request.offset() + (long) i * request.chunkSizeBytes();
            int length = (int) Math.min(request.chunkSizeBytes(), sizeBytes - position);
            scratch.clear().limit(length);
            try {
                volume.readFully(scratch, position);
            } catch (IOException e) {
                throw commit.ioFailure("target volume " + volume, "reading " + length + " bytes at offset " + position, e);
            }
            scratch.flip();
            if (!ZeroCheck.isAllZero(scratch)) {
                volume.sawData(position, length);
            }
            hashes[i] = chunkHashes.hashChunk(scratch);
        }
        link.send(new HashResponse(request.requestId(), request.volume(), request.offset(), request.chunkSizeBytes(),
                hashes));
    }

    private void stopForceThread() {
        try {
            commit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeVolumes() {
        for (TargetVolume volume : volumes) {
            try {
                volume.close();
            } catch (IOException e) {
                log.warn("source {}: closing {} failed: {}", PeerText.escape(sourceId), PeerText.escape(volume.toString()),
                        e.toString());
            }
        }
    }

    private static String describe(List<TargetVolume> volumes) {
        return volumes.stream().map(v -> String.format("%s (%d bytes, blocks of %d, at %s)", v.info().name(),
                v.info().sizeBytes(), v.info().blockSizeBytes(), v.path())).collect(Collectors.joining(", "));
    }
}
