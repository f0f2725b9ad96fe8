/**
 * Applying what sources send, off the event loops. Each session has one apply thread ({@link
 * io.replicator.target.apply.Applier}) that alone owns the session's volume channels and progress
 * file: it takes validated frames from a back-pressured {@link io.replicator.target.apply.ApplyQueue},
 * decodes and checks them, writes them with positional writes and commits them in groups (force,
 * progress file, then ack). {@link io.replicator.target.apply.VolumeOpener} finds or creates what
 * each volume is written onto; {@link io.replicator.target.apply.ProgressFile} owns the progress
 * file format.
 */
package io.replicator.target.apply;
