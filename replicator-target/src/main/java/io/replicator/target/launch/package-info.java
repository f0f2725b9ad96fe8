/**
 * Launching a checkpoint: building, while replication and journaling go on, a new writable copy of
 * every volume of a source as it was at one of its checkpoints. {@link io.replicator.target.launch.Launcher}
 * indexes the undo queue from the checkpoint's marker (the first undo entry of every block written
 * since), copies each live volume in one pass of large chunks with those blocks laid into the chunks
 * (or reflinks it where the file system has them and writes only those blocks over the clone),
 * forces the copy and renames it from {@code NAME.img.partial} to {@code NAME.img}; a pin on the undo
 * history keeps pruning away meanwhile. {@link io.replicator.target.launch.LaunchRoute} serves
 * {@code POST /launch}. The receiver's history (checkpoints, pins, undo queue, volumes) is seen
 * through {@link io.replicator.target.launch.LaunchHistory}. The design is in
 * docs/design/008-receiver-journal.md ("Launching a checkpoint").
 */
package io.replicator.target.launch;
