package io.replicator.source.track.kernel;

/**
 * Told when the kernel tracker may have missed writes: the kernel dropped trace events (a full
 * ring buffer) or the reader stopped. After that, no block outside the dirty maps is known to be
 * clean; the usual answer is {@code markAll()} on the affected maps, or a compare pass over the
 * whole volume. Called on a tracker thread (the reader or the loss poller): it must not block, and
 * may be called more than once for the same loss.
 */
@FunctionalInterface
public interface LossListener {
    /** {@code reason} is one sentence for a log line, e.g. "the kernel dropped 1234 block events (trace buffer overrun)". */
    void onLoss(String reason);
}
