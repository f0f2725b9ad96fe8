package io.replicator.source.sync;

import io.replicator.source.CutoverResult;
import io.replicator.source.SourceStatus;
import io.replicator.source.SyncResult;
import io.replicator.source.VerifyResult;
import io.replicator.source.VolumeStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The admin's requests to a {@link SyncAgent}: each is handed to the agent's thread and answered
 * through a future, so these methods are thread-safe while everything they touch stays owned by
 * the agent.
 */
public final class AgentRequests {
    private final SyncAgent agent;

    AgentRequests(SyncAgent agent) {
        this.agent = agent;
    }

    /** Rescans now; completes when everything changed before the call is durable on the target. */
    public CompletableFuture<SyncResult> sync() {
        CompletableFuture<SyncResult> result = new CompletableFuture<>();
        agent.submit(() -> {
            if (agent.cutOver) {
                result.completeExceptionally(new IllegalStateException(
                        "the cutover is done: replication has ended for this source"));
                return;
            }
            long startNs = System.nanoTime();
            long sentBefore = agent.sentPayloadBytes();
            CompletableFuture<Long> drained = new CompletableFuture<>();
            agent.addWaiter(new Waiter(startNs, drained));
            drained.whenComplete((durable, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    agent.submit(() -> result.complete(new SyncResult("ok",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs),
                            agent.sentPayloadBytes() - sentBefore, durable)));
                }
            });
        });
        return result;
    }

    /** Compares source and target while replication runs. */
    public CompletableFuture<VerifyResult> verify() {
        CompletableFuture<VerifyResult> result = new CompletableFuture<>();
        agent.submit(() -> {
            if (agent.verify != null) {
                result.complete(new VerifyResult("failed", "a verification or cutover is already running", List.of()));
            } else if (agent.reconcile != null) {
                result.complete(new VerifyResult("failed", "the source is comparing every block with the target after "
                        + "an unclean stop; verify again when status no longer shows a rescan", List.of()));
            } else if (!agent.handshaken) {
                result.complete(new VerifyResult("failed", "not connected to the target " + agent.hostPort()
                        + (agent.lastError == null ? "" : ": " + agent.lastError), List.of()));
            } else {
                agent.verify = new VerifyJob(agent, false);
                agent.verify.done.whenComplete((r, e) -> result.complete(r));
            }
        });
        return result;
    }

    /** Runs the final sync: freeze, drain, barrier, verify, thaw. */
    public CompletableFuture<CutoverResult> cutover(List<Path> freeze, long timeoutMs) {
        CompletableFuture<CutoverResult> result = new CompletableFuture<>();
        agent.submit(() -> {
            if (agent.cutover != null || agent.verify != null) {
                result.complete(failedCutover("a verification or cutover is already running"));
            } else if (agent.cutOver) {
                result.complete(failedCutover("the cutover is already done"));
            } else {
                agent.cutover = new CutoverJob(agent, timeoutMs);
                agent.cutover.done.whenComplete((r, e) -> result.complete(r));
                agent.cutover.begin(freeze);
            }
        });
        return result;
    }

    private static CutoverResult failedCutover(String reason) {
        return new CutoverResult("failed", reason, 0, 0, false, 0, 0, 0, List.of());
    }

    /** A snapshot of the replication, taken on the agent's thread. */
    public CompletableFuture<SourceStatus> status(String tracker, String trackerReason) {
        CompletableFuture<SourceStatus> result = new CompletableFuture<>();
        agent.submit(() -> {
            List<VolumeStatus> vs = new ArrayList<>();
            long lag = agent.lagMs();
            for (VolumeState v : agent.volumes) {
                long unreplicated = agent.cutOver && v.dirty != null ? v.dirty.count() : v.unreplicatedBlocks;
                vs.add(new VolumeStatus(v.info.name(), v.volume.path().toString(), v.info.sizeBytes(),
                        v.blockSize(), v.syncedBytes(), v.backlogBytes(agent.resend.changedBytes(v.index)),
                        v.sentPayloadBytes, lag, Math.min(v.info.sizeBytes(), unreplicated * v.blockSize())));
            }
            boolean failed = agent.feedFailure != null;
            result.complete(new SourceStatus(agent.config.sourceId(), state(), failed ? "scan" : tracker,
                    failed ? agent.feedFailure : trackerReason,
                    agent.rescanStatus(), agent.hostPort(), agent.handshaken, agent.lastError, agent.durableSequence,
                    vs, agent.handshaken ? null : agent.backoff.waitMs(System.nanoTime()),
                    agent.backoff.failures(System.nanoTime())));
        });
        return result;
    }

    private String state() {
        if (agent.cutOver) {
            return "cut-over";
        } else if (agent.cutover != null) {
            return "cutover";
        } else if (!agent.handshaken) {
            return agent.hasConnectedOnce() ? "disconnected" : "connecting";
        } else if (agent.rescanStatus() != null && agent.rescanStatus().running()) {
            return "rescan";
        }
        for (VolumeState v : agent.volumes) {
            if (v.syncedBytes() < v.info.sizeBytes()) {
                return "initial-sync";
            }
        }
        return "continuous";
    }
}
