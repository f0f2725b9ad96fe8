/**
 * The final sync's contact with the host: file systems frozen and thawed by a guard process that
 * outlives a crashed or hung daemon ({@link io.replicator.source.cutover.FreezeGuard}), the record
 * under the run directory that a restarted daemon thaws from ({@link
 * io.replicator.source.cutover.FreezeRecord}), and the daemon's output held while its file is on a
 * frozen file system ({@link io.replicator.source.cutover.HeldOutput}); the source's own note that it
 * was cut over ({@link io.replicator.source.cutover.CutoverRecord}) and the report of a one-server
 * cutover ({@link io.replicator.source.cutover.OneServerReport}). The cutover job itself
 * runs on the sync agent's thread ({@link io.replicator.source.sync}).
 */
package io.replicator.source.cutover;
