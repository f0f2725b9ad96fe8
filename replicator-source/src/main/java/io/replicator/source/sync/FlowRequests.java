package io.replicator.source.sync;

import io.replicator.source.FlowStatus;
import java.util.concurrent.CompletableFuture;

/**
 * The admin's changes to how a {@link SyncAgent} sends: pause, resume, and a bandwidth limit set
 * live. Each is handed to the agent's thread and answered with the {@link FlowStatus} after it
 * took effect. Thread-safe.
 */
public final class FlowRequests {
    private final SyncAgent agent;

    FlowRequests(SyncAgent agent) {
        this.agent = agent;
    }

    /** Stops sending; tracking goes on, and the backlog grows. */
    public CompletableFuture<FlowStatus> pause() {
        return submit(AgentCommand.SetFlow.Kind.PAUSE, null);
    }

    /** Sends again: only what changed (and what was not yet sent). */
    public CompletableFuture<FlowStatus> resume() {
        return submit(AgentCommand.SetFlow.Kind.RESUME, null);
    }

    /**
     * Limits bytes on the wire to {@code bytesPerSecond} from now on, replacing the configured limit
     * and schedule until the next call or a restart; 0 lifts every limit.
     */
    public CompletableFuture<FlowStatus> throttle(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("invalid rate: " + bytesPerSecond + " bytes/s (expected: >= 0)");
        }
        return submit(AgentCommand.SetFlow.Kind.THROTTLE, bytesPerSecond);
    }

    private CompletableFuture<FlowStatus> submit(AgentCommand.SetFlow.Kind kind, Long bytesPerSecond) {
        CompletableFuture<FlowStatus> result = new CompletableFuture<>();
        agent.submit(new AgentCommand.SetFlow(kind, bytesPerSecond, result));
        return result;
    }
}
