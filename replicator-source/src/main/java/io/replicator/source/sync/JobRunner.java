package io.replicator.source.sync;

import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.source.CommitResult;
import io.replicator.source.CutoverReportRequest;
import io.replicator.source.CutoverResult;
import io.replicator.source.CutoverResult.FileSystems;
import io.replicator.source.PrepareAnswer;
import io.replicator.source.RescanStatus;
import io.replicator.source.VerifyResult;
import io.replicator.source.cutover.FreezeGuard;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the sync agent's {@link Job}s: the comparison with the target after an unclean stop
 * ({@link ReconcileJob}, before anything else is sent), the admin's verification or a cutover's own
 * ({@link VerifyJob}, which gets the target's hash answers), and the cutover ({@link CutoverJob},
 * which gets the barrier acks). It starts the admin's jobs when the agent can run them, steps them
 * while the in-flight window has room, ticks them on every turn and tells them when the link is
 * lost. Jobs see the agent only through their {@link JobPort}. After a sealed cutover that keeps
 * the file systems frozen it holds their guard until the admin thaws them or the deadline passes.
 * Not thread-safe: owned by the agent's thread.
 */
final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    /** File systems a sealed cutover keeps frozen: their guard, since when, for at most how long. */
    private record KeptFrozen(FreezeGuard guard, long sinceNs, long maxFrozenMs) {
    }

    private final JobPort port;
    private KeptFrozen kept;
    private ReconcileJob reconcile;
    /** The verification that gets the hash answers; free once done. */
    private VerifyJob verify;
    private CutoverJob cutover;
    /** The checkpoint running, or null. */
    private CheckpointJob checkpoint;
    private long nextCheckpointRequestId = 1;

    JobRunner(JobPort port) {
        this.port = port;
    }

    /** Compares every block with the target before anything else, and says {@code why}. */
    void reconcile(String why) {
        reconcile = new ReconcileJob(port, why);
    }

    /** Whether the comparison after an unclean stop runs (it holds back passes and walks). */
    boolean reconciling() {
        return reconcile != null;
    }

    /**
     * Starts the admin's verification unless a job is running or the source cannot compare now, when
     * it answers at once.
     *
     * @return the job started, or null
     */
    VerifyJob start(AgentCommand.StartVerify c) {
        CompletableFuture<VerifyResult> result = c.result();
        if (verifying()) {
            result.complete(AgentRequests.failedVerify("a verification or cutover is already running"));
        } else if (reconcile != null) {
            result.complete(AgentRequests.failedVerify("the source is comparing every block with the target after "
                    + "an unclean stop; verify again when status no longer shows a rescan"));
        } else if (!port.connected()) {
            result.complete(AgentRequests.failedVerify("not connected to the target " + port.hostPort()
                    + (port.lastError() == null ? "" : ": " + port.lastError())));
        } else {
            verify = new VerifyJob(port, false, c.deadlineNs(), c.timeoutMs());
            verify.done.whenComplete((r, e) -> result.complete(r));
            return verify;
        }
        return null;
    }

    /**
     * Starts a cutover unless a job is running or the cutover is done; a refusal answers at once.
     *
     * @return the job started (it may have been refused by its preconditions already), or null
     */
    CutoverJob start(AgentCommand.StartCutover c, boolean cutOver) {
        CompletableFuture<PrepareAnswer> result = c.result();
        boolean freezeAsked = !c.freeze().isEmpty();
        if (cutover != null || verifying()) {
            c.ended().complete(null);
            result.complete(CutoverResult.refused("a verification or cutover is already running", freezeAsked));
        } else if (cutOver) {
            c.ended().complete(null);
            result.complete(CutoverResult.refused("the cutover is already done", freezeAsked));
        } else {
            CutoverJob job = new CutoverJob(port, c.freeze(), c.deadlineNs(), c.timeoutMs(), c.plan());
            cutover = job;
            // The job completes done before its prepare's or commit's answer: the source is free first.
            job.done.whenComplete((r, e) -> c.ended().complete(null));
            (c.plan().hold() ? job.prepared : job.done).whenComplete((r, e) -> result.complete(r));
            job.begin();
            if (job.done.isDone()) {
                cutover = null;
            }
            return job;
        }
        return null;
    }

    /**
     * Starts a checkpoint unless another job is running or the source was cut over; a refusal answers at once.
     *
     * @return the job started (it may have been refused by its preconditions already), or null
     */
    CheckpointJob start(AgentCommand.StartCheckpoint c, boolean cutOver) {
        String busy = cutover != null ? "a cutover is running" : verifying() ? "a verification is running"
                : kept != null ? "the file systems are kept frozen after the cutover" : checkpoint != null
                ? "a checkpoint is running" : cutOver ? "the source was cut over: replication has ended" : null;
        if (busy != null) {
            c.thawed().complete(null);
            c.result().complete(io.replicator.source.checkpoint.CheckpointResult.refused(busy));
            return null;
        }
        CheckpointJob job = new CheckpointJob(port, c.plan(), c.deadlineNs(), c.thawed());
        job.done.whenComplete((r, e) -> c.result().complete(r));
        checkpoint = job;
        job.begin(nextCheckpointRequestId++);
        if (job.isDone()) {
            checkpoint = null;
        }
        return job;
    }

    void onCheckpointAck(io.replicator.protocol.wire.CheckpointAck ack) {
        if (checkpoint != null) {
            checkpoint.onCheckpointAck(ack);
        }
    }

    /** Commits the held cutover, or refuses at once. */
    void commit(AgentCommand.CommitCutover c) {
        if (cutover == null) {
            c.result().complete(CommitResult.refused("no cutover is held here (it ended, or none was prepared)"));
        } else {
            cutover.commit(c.request(), c.result());
        }
    }

    /**
     * Ends the cutover running or held (of the request's wave) without a seal, thawing at once, then
     * hands the receiver the wave's report unsealed, best effort. Nothing running: answered as done.
     */
    void abort(AgentCommand.AbortCutover c) {
        CutoverReportRequest request = c.request();
        String waveId = request == null ? null : request.waveId();
        if (cutover == null || cutover.isDone()) {
            c.result().complete(new CommitResult(CommitResult.ABORTED, "no cutover was running or held: nothing to "
                    + "thaw", false, null, 0, null, FileSystems.NONE, List.of()));
        } else if (!cutover.abort(waveId, c.reason())) {
            c.result().complete(CommitResult.refused("the cutover here is of wave " + cutover.waveId() + ", not of "
                    + waveId + ": not aborted"));
            return;
        } else {
            CutoverResult r = cutover.done.join();
            cutover = null;
            c.result().complete(new CommitResult(CommitResult.ABORTED, r.reason(), false, null, r.downtimeMs(),
                    r.fileSystems() == FileSystems.THAWED ? Instant.now().toString() : null, r.fileSystems(),
                    r.stillFrozen()));
        }
        if (request != null && request.hasReport() && port.connected() && port.sealSupported()) {
            port.sendReport(false, request.reportId(), request.json(), request.markdown());
        }
    }

    /** Holds {@code guard}, whose file systems a sealed cutover keeps frozen. */
    void keepFrozen(FreezeGuard guard, long sinceNs, long maxFrozenMs) {
        kept = new KeptFrozen(guard, sinceNs, maxFrozenMs);
    }

    /** Thaws what a sealed cutover keeps frozen, or refuses at once when nothing is. */
    void thaw(AgentCommand.Thaw c) {
        if (kept == null) {
            c.result().complete(CommitResult.refused(cutover != null
                    ? "nothing is kept frozen after a cutover; the cutover running holds its own freeze: abort it"
                    : "nothing is frozen"));
            return;
        }
        List<Path> left = kept.guard.thawAndWait("thawed by the admin", CutoverJob.THAW_WAIT_MS);
        FileSystems fileSystems = CutoverJob.thawed(kept.guard, left);
        long frozenMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - kept.sinceNs);
        LOG.info("cutover: thawed {} by the admin, {} ms after the freeze", kept.guard.mounts(), frozenMs);
        c.result().complete(new CommitResult(CommitResult.THAWED, "thawed by the admin", true, null, frozenMs,
                Instant.now().toString(), fileSystems, strings(left)));
        kept = null;
    }

    private static List<String> strings(List<Path> paths) {
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            out.add(p.toString());
        }
        return out;
    }

    /** Whether a sealed cutover keeps file systems frozen now. */
    boolean keepsFrozen() {
        return kept != null;
    }

    private boolean verifying() {
        return verify != null && !verify.isDone();
    }

    /** Runs {@code job}, a cutover's own verification. */
    void compare(VerifyJob job) {
        verify = job;
    }

    boolean wantsStep() {
        return (verifying() && verify.wantsStep()) || (reconcile != null && reconcile.wantsStep());
    }

    /** Lets the first job that has something to send send it; false when none has. */
    boolean step() throws IOException {
        if (verifying() && verify.wantsStep()) {
            verify.step();
            return true;
        } else if (reconcile != null && reconcile.wantsStep()) {
            reconcile.step();
            return true;
        }
        return false;
    }

    void tick(long nowNs) {
        if (kept != null && kept.guard.done().isDone()) {
            LOG.warn("cutover: {} kept frozen after the cutover were thawed by their deadline ({} ms) or the guard",
                    kept.guard.mounts(), kept.maxFrozenMs);
            kept = null;
        }
        if (verify != null) {
            verify.tick(nowNs);
        }
        if (cutover != null) {
            cutover.tick(nowNs);
            if (cutover.isDone()) {
                cutover = null;
            }
        }
        if (checkpoint != null) {
            checkpoint.tick(nowNs);
            if (checkpoint.isDone()) {
                checkpoint = null;
            }
        }
    }

    /**
     * Hands the target's hashes to the comparison after an unclean stop, else to the verification.
     *
     * @return why the comparison after an unclean stop ran, once it has finished with this answer; else null
     */
    String onHashes(HashResponse response) throws IOException {
        if (reconcile != null) {
            reconcile.onHashes(response);
            if (reconcile.isDone()) {
                String why = reconcile.reason;
                reconcile = null;
                return why;
            }
        } else if (verifying()) {
            verify.onHashes(response);
        }
        return null;
    }

    void onBarrierAck(BarrierAck ack) {
        if (cutover != null) {
            cutover.onBarrierAck(ack);
        }
    }

    void onReportAck(CutoverReportAck ack) {
        if (cutover != null) {
            cutover.onReportAck(ack);
        }
    }

    /** The receiver refused something: a cutover waiting for its seal fails. */
    void refused(String why) {
        if (cutover != null) {
            cutover.refused(why);
        }
    }

    void connectionLost() {
        if (verifying()) {
            verify.connectionLost();
        }
        if (reconcile != null) {
            reconcile.connectionLost();
        }
        if (cutover != null) {
            cutover.connectionLost();
        }
        if (checkpoint != null) {
            checkpoint.connectionLost();
            checkpoint = null;
        }
    }

    /** Whether passes and walks may run: not while the cutover's barrier is out or it verifies. */
    boolean allowsPasses() {
        return cutover == null || cutover.allowsPasses();
    }

    /** While a freeze may be in force the agent writes nothing: its state directory may lie on a frozen file system. */
    boolean holdsStateWrites() {
        return cutover != null && cutover.holdsStateWrites() || kept != null && !kept.guard.done().isDone()
                || checkpoint != null && checkpoint.holdsStateWrites();
    }

    boolean cutoverRunning() {
        return cutover != null && !cutover.isDone();
    }

    List<String> frozenNow() {
        if (kept != null) {
            return strings(kept.guard.stillFrozen());
        }
        if (checkpoint != null) {
            return checkpoint.frozenNow();
        }
        return cutover == null ? List.of() : cutover.frozenNow();
    }

    /** The comparison after an unclean stop as a rescan in progress, or null. */
    RescanStatus reconcileStatus(long totalBytes) {
        return reconcile == null ? null : new RescanStatus(reconcile.reason, true, reconcile.doneBytes(), totalBytes);
    }

    /**
     * The agent stops: a cutover fails and thaws, a verification fails.
     *
     * @return the mount points that may still be frozen
     */
    List<String> stop() {
        List<String> frozenLeft = List.of();
        if (cutover != null) {
            cutover.fail("the source daemon stopped during the cutover");
            frozenLeft = cutover.done.join().stillFrozen();
        }
        if (verify != null) {
            verify.fail("the source daemon stopped during verification");
        }
        if (checkpoint != null) {
            checkpoint.fail("the source daemon stopped during the checkpoint");
            frozenLeft = checkpoint.frozenNow();
        }
        if (kept != null) {
            List<Path> left = kept.guard.thawAndWait("the source daemon stopped", CutoverJob.THAW_WAIT_MS);
            if (!left.isEmpty()) {
                frozenLeft = strings(left);
            }
            kept = null;
        }
        return frozenLeft;
    }
}
