package io.replicator.source.sync;

import io.replicator.source.OperationRefusedException;
import io.replicator.source.RunningOperation;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One operation at a time on a source: a cutover (from its start until it is sealed, aborted or
 * failed, held phase included), a verification or a sync. Another asked meanwhile is refused at
 * once, on the caller's thread (even while the sync agent is busy), naming the running one.
 * Thread-safe.
 */
final class Operations {
    private RunningOperation running;

    /**
     * Takes the source for {@code operation} until {@code ended} completes.
     *
     * @throws OperationRefusedException naming the operation that runs
     */
    void begin(String operation, String waveId, String askedBy, CompletableFuture<?> ended) {
        RunningOperation op = new RunningOperation(operation, waveId, askedBy, Instant.now().toString());
        synchronized (this) {
            if (running != null) {
                throw new OperationRefusedException("a " + operation + (waveId == null ? "" : " (wave " + waveId + ")")
                        + " asked by '" + askedBy + "'", running);
            }
            running = op;
        }
        ended.whenComplete((r, e) -> end(op));
    }

    private synchronized void end(RunningOperation op) {
        if (running == op) {
            running = null;
        }
    }

    /** The operation running now, or null. */
    synchronized RunningOperation running() {
        return running;
    }
}
