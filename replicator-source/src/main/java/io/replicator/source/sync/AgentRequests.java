package io.replicator.source.sync;

import io.replicator.source.CommitResult;
import io.replicator.source.CutoverReportRequest;
import io.replicator.source.CutoverResult;
import io.replicator.source.OperationRefusedException;
import io.replicator.source.Outcome;
import io.replicator.source.PrepareAnswer;
import io.replicator.source.PreparedCutover;
import io.replicator.source.RunningOperation;
import io.replicator.source.SourceStatus;
import io.replicator.source.SyncResult;
import io.replicator.source.VerifyOutcome;
import io.replicator.source.VerifyResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The admin's requests to a {@link SyncAgent}: each is handed to the agent's thread and answered
 * through a future, so these methods are thread-safe while everything they touch stays owned by
 * the agent. Every request has a deadline and an owner: a request whose future was cancelled (its
 * client went away) or whose deadline passed before the agent took it up never starts, and one
 * that is running is withdrawn (a cutover thaws, a verification stops, a sync stops waiting).
 */
public final class AgentRequests {
    private final SyncAgent agent;
    private final Operations operations;

    AgentRequests(SyncAgent agent) {
        this.agent = agent;
        this.operations = new Operations(() -> agent.flow.pausedNow());
    }

    /**
     * Rescans now; completes when everything changed before the call is durable on the target, or fails
     * at the deadline; fails at once with {@link OperationRefusedException} while
     * another operation runs.
     */
    public CompletableFuture<SyncResult> sync(long timeoutMs, String askedBy) {
        return operations.run("sync", null, askedBy, () -> {
            CompletableFuture<SyncResult> result = new CompletableFuture<>();
            long startNs = System.nanoTime();
            agent.submit(new AgentCommand.StartSync(result, startNs,
                    startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs)));
            return result;
        });
    }

    /** Compares source and target while replication runs; fails at the deadline, or at once while another operation runs. */
    public CompletableFuture<VerifyResult> verify(long timeoutMs, String askedBy) {
        return operations.run("verify", null, askedBy, () -> {
            CompletableFuture<VerifyResult> result = new CompletableFuture<>();
            long startNs = System.nanoTime();
            agent.submit(new AgentCommand.StartVerify(result, startNs,
                    startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs));
            return result;
        });
    }

    /**
     * Runs the final sync: preconditions, freeze, drain, barrier, verify, then the seal with the report
     * {@code oneServerReport} makes of the verified result, thaw; all within {@code timeoutMs}.
     */
    public CompletableFuture<CutoverResult> cutover(List<Path> freeze, long timeoutMs, String askedBy,
                                                    Function<CutoverResult, CutoverReportRequest> oneServerReport) {
        return cutover(freeze, timeoutMs, askedBy, oneServerReport, false);
    }

    /** As above; {@code fullVerify}: hash every chunk while frozen, not only those written since they were compared. */
    public CompletableFuture<CutoverResult> cutover(List<Path> freeze, long timeoutMs, String askedBy,
                                                    Function<CutoverResult, CutoverReportRequest> oneServerReport,
                                                    boolean fullVerify) {
        return operations.run("cutover", null, askedBy, () -> {
            CompletableFuture<PrepareAnswer> answer = start(freeze, timeoutMs,
                    new CutoverJob.Plan(null, askedBy, false, oneServerReport, fullVerify), new CompletableFuture<>());
            CompletableFuture<CutoverResult> result = new CompletableFuture<>();
            answer.whenComplete((r, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete((CutoverResult) r);
                }
            });
            result.whenComplete((r, e) -> {
                if (result.isCancelled()) {
                    answer.cancel(false);
                }
            });
            return result;
        });
    }

    /**
     * Runs the final sync of a wave's server up to the verification and holds it: the file systems stay
     * frozen until {@link #commit}, {@link #abort} or {@code timeoutMs} after now. The source stays
     * taken by the cutover until it ends (sealed, aborted, failed, past its deadline).
     */
    public CompletableFuture<PrepareAnswer> prepare(List<Path> freeze, long timeoutMs, String waveId, String askedBy) {
        return prepare(freeze, timeoutMs, waveId, askedBy, false);
    }

    /** As above; {@code fullVerify}: hash every chunk while frozen, not only those written since they were compared. */
    public CompletableFuture<PrepareAnswer> prepare(List<Path> freeze, long timeoutMs, String waveId, String askedBy,
                                                    boolean fullVerify) {
        RunningOperation op;
        try {
            op = operations.begin("cutover", waveId, askedBy);
        } catch (OperationRefusedException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> ended = new CompletableFuture<>();
        ended.whenComplete((r, e) -> operations.end(op));
        return start(freeze, timeoutMs, new CutoverJob.Plan(waveId, askedBy, true, null, fullVerify), ended);
    }

    /**
     * Takes a consistent checkpoint of every volume as {@code plan} says: the pre-freeze hook, the catch-up,
     * the freeze, the capture, the thaw (then the post-thaw hook), the send and the receiver's answer; fails
     * at once with {@link OperationRefusedException} while another operation runs.
     */
    public CompletableFuture<io.replicator.source.checkpoint.CheckpointResult> checkpoint(
            io.replicator.source.checkpoint.CheckpointPlan plan, String askedBy) {
        return operations.run("checkpoint", null, askedBy, () -> CheckpointStart.run(plan, agent::submit));
    }

    /** The operation running now, or null. Thread-safe. */
    public RunningOperation running() {
        return operations.running();
    }

    private CompletableFuture<PrepareAnswer> start(List<Path> freeze, long timeoutMs, CutoverJob.Plan plan,
                                                   CompletableFuture<Void> ended) {
        CompletableFuture<PrepareAnswer> result = new CompletableFuture<>();
        long startNs = System.nanoTime();
        agent.submit(new AgentCommand.StartCutover(result, List.copyOf(freeze), startNs,
                startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs, plan, ended));
        return result;
    }

    /** Seals the held cutover of {@code request}'s wave with its report, then thaws or keeps frozen. */
    public CompletableFuture<CommitResult> commit(CutoverReportRequest request) {
        CompletableFuture<CommitResult> result = new CompletableFuture<>();
        agent.submit(new AgentCommand.CommitCutover(result, request));
        return result;
    }

    /** Ends the cutover (of {@code request}'s wave, any when null) without a seal and thaws at once. */
    public CompletableFuture<CommitResult> abort(CutoverReportRequest request, String reason) {
        CompletableFuture<CommitResult> result = new CompletableFuture<>();
        agent.submit(new AgentCommand.AbortCutover(result, request, reason));
        return result;
    }

    /** Thaws the file systems a sealed cutover keeps frozen. */
    public CompletableFuture<CommitResult> thaw() {
        CompletableFuture<CommitResult> result = new CompletableFuture<>();
        agent.submit(new AgentCommand.Thaw(result));
        return result;
    }

    /** Forgets the cutover: the source connects and replicates again; completes with what it says of it. */
    public CompletableFuture<String> release() {
        CompletableFuture<String> result = new CompletableFuture<>();
        agent.submit(new AgentCommand.Release(result));
        return result;
    }

    /** Starts a sync's wait. Agent's thread only. */
    void start(AgentCommand.StartSync c) {
        CompletableFuture<SyncResult> result = c.result();
        if (!startable(result, c.startNs(), c.deadlineNs(), result::completeExceptionally)) {
            return;
        }
        if (agent.cutOver) {
            result.completeExceptionally(new IllegalStateException(agent.cutOverWords()
                    + ": replication has ended for this source, there is nothing to sync"));
            return;
        }
        long sentBefore = agent.sentPayloadBytes();
        CompletableFuture<Long> drained = new CompletableFuture<>();
        agent.addWaiter(new Waiter(c.startNs(), c.deadlineNs(), drained));
        result.whenComplete((r, e) -> {
            if (e instanceof CancellationException) {
                drained.cancel(false);
            }
        });
        drained.whenComplete((durable, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                agent.submit(new AgentCommand.AnswerSync(result, c.startNs(), sentBefore, durable));
            }
        });
    }

    /** Answers a sync whose changes are durable. Agent's thread only. */
    void answer(AgentCommand.AnswerSync c) {
        c.result().complete(new SyncResult(Outcome.OK, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.startNs()),
                agent.sentPayloadBytes() - c.sentBefore(), c.durableSequence()));
    }

    /** Starts a verification unless one is running or the source cannot compare now. Agent's thread only. */
    void start(AgentCommand.StartVerify c) {
        CompletableFuture<VerifyResult> result = c.result();
        if (agent.cutOver) {
            long written = agent.writtenSinceBytes();
            result.complete(new VerifyResult(VerifyOutcome.CUT_OVER, agent.cutOverWords() + ": replication has ended; "
                    + written + " bytes were written on this source since, and are on it only", List.of(), written));
            return;
        }
        if (startable(result, c.startNs(), c.deadlineNs(), e -> result.complete(failedVerify(e.getMessage())))) {
            onWithdrawn(result, agent.jobs.start(c));
        }
    }

    /** Starts a checkpoint unless a job is running. Agent's thread only. */
    void start(AgentCommand.StartCheckpoint c) {
        if (startable(c.result(), c.startNs(), c.deadlineNs(), e -> c.result().complete(
                io.replicator.source.checkpoint.CheckpointResult.refused(e.getMessage())))) {
            onWithdrawn(c.result(), agent.jobs.start(c, agent.cutOver));
        }
    }

    /** Starts a cutover unless a job is running or the cutover is done. Agent's thread only. */
    void start(AgentCommand.StartCutover c) {
        CompletableFuture<PrepareAnswer> result = c.result();
        if (startable(result, c.startNs(), c.deadlineNs(), e -> {
            c.ended().complete(null);
            result.complete(CutoverResult.refused(e.getMessage(), !c.freeze().isEmpty()));
        })) {
            onWithdrawn(result, agent.jobs.start(c, agent.cutOver));
        }
    }

    /**
     * Whether a request may start now: not withdrawn, and taken up before its deadline (a request
     * that waited that long for the agent would act when nobody expects it any more).
     */
    private static boolean startable(CompletableFuture<?> result, long startNs, long deadlineNs,
                                     Consumer<IOException> refuse) {
        if (result.isDone()) {
            return false;
        }
        long now = System.nanoTime();
        if (now - deadlineNs >= 0) {
            refuse.accept(new IOException("the request waited " + TimeUnit.NANOSECONDS.toMillis(now - startNs)
                    + " ms for the sync agent, past its deadline; it was not started"));
            return false;
        }
        return true;
    }

    /** Withdraws {@code job} (if one was started) on the agent's thread when {@code result} is cancelled by its owner. */
    private void onWithdrawn(CompletableFuture<?> result, Job job) {
        if (job == null) {
            return;
        }
        result.whenComplete((r, e) -> {
            if (e instanceof CancellationException) {
                agent.submit(new AgentCommand.Withdraw(job, "the admin's client went away"));
            }
        });
    }

    static VerifyResult failedVerify(String reason) {
        return new VerifyResult(VerifyOutcome.FAILED, reason, List.of());
    }

    /**
     * The status the agent publishes next (it is woken to publish it now): read from the
     * {@link StatusBoard}, never from the agent's fields. An agent that is stuck publishes nothing,
     * so the caller bounds the wait and falls back to {@link StatusBoard#latest}.
     */
    /** The status the agent published last, without waking it; the first is published by {@link SyncAgent#start}. */
    public SourceStatus latestStatus(String tracker, String trackerReason) {
        return StatusBoard.withTracker(agent.statusBoard().latest(), tracker, trackerReason);
    }

    public CompletableFuture<SourceStatus> status(String tracker, String trackerReason) {
        CompletableFuture<SourceStatus> next = agent.statusBoard().next();
        agent.submit(new AgentCommand.Wake());
        return next.thenApply(s -> StatusBoard.withTracker(s, tracker, trackerReason));
    }
}
