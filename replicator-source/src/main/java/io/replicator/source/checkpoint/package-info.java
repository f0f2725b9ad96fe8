/**
 * Consistent checkpoints on the source: what one checkpoint asks ({@link
 * io.replicator.source.checkpoint.CheckpointPlan}), how it ran ({@link
 * io.replicator.source.checkpoint.CheckpointResult}), the hooks around its freeze ({@link
 * io.replicator.source.checkpoint.Hook}), the checkpoint ids kept in the state directory ({@link
 * io.replicator.source.checkpoint.CheckpointIds}), the last checkpoint for status and metrics ({@link
 * io.replicator.source.checkpoint.Checkpoints}) and the daemon's schedule ({@link
 * io.replicator.source.checkpoint.CheckpointSchedule}). The capture itself (freeze, read what changed
 * into memory, thaw, send, wait for the receiver) runs on the sync agent's thread ({@code
 * io.replicator.source.sync.CheckpointJob}). See docs/design/008-receiver-journal.md.
 */
package io.replicator.source.checkpoint;
