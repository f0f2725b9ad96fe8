/**
 * Launching a checkpoint: building, while replication and journaling go on, a new writable copy of
 * every volume of a source as it was at one of its checkpoints. {@link io.replicator.target.launch.Launcher}
 * copies each live volume (a reflink where the file system has them, else a sparse copy), restores
 * from the undo queue the first undo entry after the checkpoint's marker of every block written since,
 * forces the copy and renames it from {@code NAME.img.partial} to {@code NAME.img}; a pin on the undo
 * history keeps pruning away meanwhile. {@link io.replicator.target.launch.LaunchRoute} serves
 * {@code POST /launch}. The receiver's history (checkpoints, pins, undo queue, volumes) is seen
 * through {@link io.replicator.target.launch.LaunchHistory}. The design is in
 * docs/design/008-receiver-journal.md ("Launching a checkpoint").
 */
package io.replicator.target.launch;
