package io.replicator.source.sync;

import io.replicator.source.checkpoint.CheckpointPlan;
import io.replicator.source.checkpoint.CheckpointResult;
import io.replicator.source.checkpoint.Hook;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A checkpoint's hooks around the agent's job, on a thread of its own (a hook may take a while; the
 * agent never waits for one): the pre-freeze hook (its failure refuses the checkpoint, nothing frozen),
 * then the {@link CheckpointJob} on the agent's thread, the post-thaw hook as soon as nothing is frozen
 * any more (its failure is reported in the answer). Stateless.
 */
final class CheckpointStart {
    private CheckpointStart() {
    }

    /** Runs {@code plan}, handing the job to the agent through {@code submit}; the answer completes once all is done. */
    static CompletableFuture<CheckpointResult> run(CheckpointPlan plan, Consumer<AgentCommand> submit) {
        CompletableFuture<CheckpointResult> answer = new CompletableFuture<>();
        Thread thread = new Thread(() -> hooksAround(plan, submit, answer), "checkpoint");
        thread.setDaemon(true);
        thread.start();
        return answer;
    }

    private static void hooksAround(CheckpointPlan plan, Consumer<AgentCommand> submit,
                                    CompletableFuture<CheckpointResult> answer) {
        long startNs = System.nanoTime();
        Hook pre = plan.preFreeze();
        if (pre != null) {
            String failure = pre.run();
            if (failure != null) {
                answer.complete(CheckpointResult.refused(failure + "; nothing was frozen"));
                return;
            }
        }
        if (answer.isDone()) {
            return; // withdrawn during the hook
        }
        CompletableFuture<Void> thawed = new CompletableFuture<>();
        CompletableFuture<CheckpointResult> job = new CompletableFuture<>();
        job.whenComplete((r, e) -> thawed.complete(null));
        answer.whenComplete((r, e) -> {
            if (answer.isCancelled()) {
                job.cancel(false);
            }
        });
        submit.accept(new AgentCommand.StartCheckpoint(job, plan, startNs,
                startNs + TimeUnit.MILLISECONDS.toNanos(plan.timeoutMs()), thawed));
        String postThawFailure = null;
        try {
            thawed.join();
        } catch (RuntimeException e) {
            // the job ended some other way: its answer says how
        }
        Hook post = plan.postThaw();
        if (post != null) {
            postThawFailure = post.run();
        }
        try {
            CheckpointResult r = job.join();
            answer.complete(postThawFailure == null ? r : r.withPostThaw(postThawFailure));
        } catch (RuntimeException e) {
            answer.completeExceptionally(e.getCause() != null ? e.getCause() : e);
        }
    }
}
