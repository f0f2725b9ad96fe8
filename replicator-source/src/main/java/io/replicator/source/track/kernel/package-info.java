/**
 * The kernel tracker: completed block writes read from the kernel's own trace events
 * ({@code block:block_rq_complete} for request-based devices, {@code block:block_bio_complete} for
 * device-mapper), in a private tracefs instance, with no kernel module. Events are only trusted
 * from completion: the sync agent clears a block's dirty bit before reading the block, so a write
 * that completes after the read marks it again, and {@link
 * io.replicator.source.track.kernel.KernelTracker#sync} (a marker through the same ring buffer)
 * proves every earlier event was read. Lost events (the instance's overrun and dropped counters)
 * are reported so that the agent rescans. See docs/design/003-kernel-tracker.md.
 */
package io.replicator.source.track.kernel;
