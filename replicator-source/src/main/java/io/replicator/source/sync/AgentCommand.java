package io.replicator.source.sync;

import io.replicator.source.CommitResult;
import io.replicator.source.CutoverReportRequest;
import io.replicator.source.PrepareAnswer;
import io.replicator.source.FlowStatus;
import io.replicator.source.SyncResult;
import io.replicator.source.VerifyResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What other threads hand the sync agent, the only way in: the admin's requests
 * ({@link AgentRequests}), the change feed's reports and the link's events ({@link LinkEvent}).
 * Each is immutable and is handled on the agent's thread, in the order it was handed in.
 */
sealed interface AgentCommand permits LinkEvent, AgentCommand.StartSync, AgentCommand.AnswerSync,
        AgentCommand.StartVerify, AgentCommand.StartCutover, AgentCommand.Withdraw,
        AgentCommand.EventsLost, AgentCommand.CaughtUp, AgentCommand.Wake, AgentCommand.CommitCutover,
        AgentCommand.AbortCutover, AgentCommand.Thaw, AgentCommand.Release, AgentCommand.SetFlow,
        AgentCommand.StartCheckpoint {

    /** Wait until everything changed before {@code startNs} is durable on the target, by {@code deadlineNs}. */
    record StartSync(CompletableFuture<SyncResult> result, long startNs, long deadlineNs) implements AgentCommand {
    }

    /** A sync's changes are durable at {@code durableSequence}: answer it with what was sent since {@code sentBefore}. */
    record AnswerSync(CompletableFuture<SyncResult> result, long startNs, long sentBefore, long durableSequence)
            implements AgentCommand {
    }

    /** Compare source and target while replication runs, by {@code deadlineNs} ({@code timeoutMs} after the ask). */
    record StartVerify(CompletableFuture<VerifyResult> result, long startNs, long deadlineNs, long timeoutMs)
            implements AgentCommand {
    }

    /**
     * Run the final sync of {@code freeze} (maybe none) by {@code deadlineNs} ({@code timeoutMs} after the
     * ask), ending as {@code plan} says: held for a commit, or sealed at once; {@code ended} completes
     * when the cutover is over (sealed, failed, aborted), whatever its answer said before.
     */
    record StartCutover(CompletableFuture<PrepareAnswer> result, List<Path> freeze, long startNs, long deadlineNs,
                        long timeoutMs, CutoverJob.Plan plan, CompletableFuture<Void> ended) implements AgentCommand {
    }

    /** Seal the held cutover of {@code request}'s wave with its report, then thaw or keep frozen. */
    record CommitCutover(CompletableFuture<CommitResult> result, CutoverReportRequest request) implements AgentCommand {
    }

    /** End the cutover of {@code request}'s wave (any, when null) without a seal, thaw, and send its report unsealed. */
    record AbortCutover(CompletableFuture<CommitResult> result, CutoverReportRequest request, String reason)
            implements AgentCommand {
    }

    /**
     * Take a consistent checkpoint as {@code plan} says, by {@code deadlineNs}; {@code thawed} completes once
     * nothing it froze is frozen any more (or it froze nothing).
     */
    record StartCheckpoint(CompletableFuture<io.replicator.source.checkpoint.CheckpointResult> result,
                           io.replicator.source.checkpoint.CheckpointPlan plan, long startNs, long deadlineNs,
                           CompletableFuture<Void> thawed) implements AgentCommand {
    }

    /** Thaw the file systems a sealed cutover keeps frozen. */
    record Thaw(CompletableFuture<CommitResult> result) implements AgentCommand {
    }

    /** Forget the cutover record: replicate again (the receiver refuses while it holds the seal). */
    record Release(CompletableFuture<String> result) implements AgentCommand {
    }

    /** The admin's client went away: the job started for it stops (a cutover thaws), saying {@code why}. */
    record Withdraw(Job job, String why) implements AgentCommand {
    }

    /** The change feed lost events: some writes may not be marked dirty. */
    record EventsLost(String reason) implements AgentCommand {
    }

    /** A catch-up of the change feed asked for at {@code requestNs} in {@code epoch} ended ({@code error} null: it did). */
    record CaughtUp(long requestNs, int epoch, Throwable error) implements AgentCommand {
    }

    /** Nothing to do but take a turn now: a status is wanted, or the agent is stopping. */
    record Wake() implements AgentCommand {
    }

    /** Pause, resume, or a live bandwidth limit ({@code bytesPerSecond}, 0: none): see {@link FlowRequests}. */
    record SetFlow(Kind kind, Long bytesPerSecond, CompletableFuture<FlowStatus> result) implements AgentCommand {
        enum Kind { PAUSE, RESUME, THROTTLE }
    }
}
