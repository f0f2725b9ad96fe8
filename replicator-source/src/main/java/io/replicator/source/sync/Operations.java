package io.replicator.source.sync;

import io.replicator.source.OperationRefusedException;
import io.replicator.source.RunningOperation;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One operation at a time on a source: a cutover (from its start until it is sealed, aborted or
 * failed, held phase included), a verification or a sync. Another asked meanwhile is refused at
 * once, on the caller's thread (even while the sync agent is busy), naming the running one. While
 * sending is paused ({@code paused}) none starts: none could drain, each would only wait out its
 * deadline. Thread-safe.
 */
final class Operations {
    /** Why an operation asked while sending is paused is refused. */
    static final String PAUSED = "the source is paused: replicator resume first";

    private final BooleanSupplier paused;
    private RunningOperation running;

    /** {@code paused} says, from any thread, whether the admin paused sending. */
    Operations(BooleanSupplier paused) {
        this.paused = paused;
    }

    /**
     * Takes the source for {@code operation} until {@link #end}.
     *
     * @throws OperationRefusedException naming the operation that runs, or saying that sending is paused
     */
    synchronized RunningOperation begin(String operation, String waveId, String askedBy) {
        String asked = "a " + operation + (waveId == null ? "" : " (wave " + waveId + ")") + " asked by '" + askedBy
                + "'";
        if (running != null) {
            throw new OperationRefusedException(asked, running);
        }
        if (paused.getAsBoolean()) {
            throw new OperationRefusedException(asked, PAUSED);
        }
        running = new RunningOperation(operation, waveId, askedBy, Instant.now().toString());
        return running;
    }

    /**
     * Starts {@code start} as {@code operation} unless another runs (then the answer fails at once
     * with {@link OperationRefusedException}); its answer is handed on once the source is free again.
     */
    <T> CompletableFuture<T> run(String operation, String waveId, String askedBy,
                                 Supplier<CompletableFuture<T>> start) {
        RunningOperation op;
        try {
            op = begin(operation, waveId, askedBy);
        } catch (OperationRefusedException e) {
            return CompletableFuture.failedFuture(e);
        }
        return endWith(op, start.get());
    }

    /**
     * The answer to an operation: {@code inner}'s outcome, handed on only once the source is free
     * again, so that a client that asks for the next operation on that answer is never refused by
     * the one it has just been answered; cancelling the answer cancels {@code inner} (a withdrawal).
     */
    private <T> CompletableFuture<T> endWith(RunningOperation op, CompletableFuture<T> inner) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        inner.whenComplete((r, e) -> {
            end(op);
            if (e != null) {
                answer.completeExceptionally(e);
            } else {
                answer.complete(r);
            }
        });
        answer.whenComplete((r, e) -> {
            if (answer.isCancelled()) {
                inner.cancel(false);
            }
        });
        return answer;
    }

    /** Frees the source, if {@code op} still holds it. */
    synchronized void end(RunningOperation op) {
        if (running == op) {
            running = null;
        }
    }

    /** The operation running now, or null. */
    synchronized RunningOperation running() {
        return running;
    }
}
