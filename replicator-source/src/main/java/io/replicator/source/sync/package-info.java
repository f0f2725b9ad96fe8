/**
 * The send pipeline. {@link io.replicator.source.sync.SyncAgent} is the one thread that owns the
 * volumes, their fingerprints, the in-flight window and the sequence numbers: it reads blocks,
 * sends what changed, commits fingerprints when the target acknowledges them durable, and runs
 * the admin's sync, verify and cutover jobs. {@link io.replicator.source.sync.TargetLink}'s Netty
 * event loop only decodes frames and hands them to the agent's inbox.
 */
package io.replicator.source.sync;
