package io.replicator.source.sync;

import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.source.CutoverResult;
import io.replicator.source.RescanStatus;
import io.replicator.source.VerifyResult;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the sync agent's {@link Job}s: the comparison with the target after an unclean stop
 * ({@link ReconcileJob}, before anything else is sent), the admin's verification or a cutover's own
 * ({@link VerifyJob}, which gets the target's hash answers), and the cutover ({@link CutoverJob},
 * which gets the barrier acks). It starts the admin's jobs when the agent can run them, steps them
 * while the in-flight window has room, ticks them on every turn and tells them when the link is
 * lost. Jobs see the agent only through their {@link JobPort}. Not thread-safe: owned by the
 * agent's thread.
 */
final class JobRunner {
    private final JobPort port;
    private ReconcileJob reconcile;
    /** The verification that gets the hash answers; free once done. */
    private VerifyJob verify;
    private CutoverJob cutover;

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
        CompletableFuture<CutoverResult> result = c.result();
        boolean freezeAsked = !c.freeze().isEmpty();
        if (cutover != null || verifying()) {
            result.complete(CutoverResult.refused("a verification or cutover is already running", freezeAsked));
        } else if (cutOver) {
            result.complete(CutoverResult.refused("the cutover is already done", freezeAsked));
        } else {
            CutoverJob job = new CutoverJob(port, c.freeze(), c.deadlineNs(), c.timeoutMs());
            cutover = job;
            job.done.whenComplete((r, e) -> result.complete(r));
            job.begin();
            if (job.done.isDone()) {
                cutover = null;
            }
            return job;
        }
        return null;
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
        if (verify != null) {
            verify.tick(nowNs);
        }
        if (cutover != null) {
            cutover.tick(nowNs);
            if (cutover.isDone()) {
                cutover = null;
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
    }

    /** Whether passes and walks may run: not while the cutover's barrier is out or it verifies. */
    boolean allowsPasses() {
        return cutover == null || cutover.allowsPasses();
    }

    /** While a freeze may be in force the agent writes nothing: its state directory may lie on a frozen file system. */
    boolean holdsStateWrites() {
        return cutover != null && cutover.holdsStateWrites();
    }

    boolean cutoverRunning() {
        return cutover != null && !cutover.isDone();
    }

    List<String> frozenNow() {
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
        return frozenLeft;
    }
}
