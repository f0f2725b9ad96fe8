/**
 * The source's replication. {@link io.replicator.source.sync.SyncAgent} is the one thread that owns
 * it, a shell whose duty cycle runs a few owners: the target session (link, handshake, sequences,
 * in flight, resend, acks), the change sources (passes, kernel catch-ups and walks), the send
 * pipeline (read, encode, the in-flight window) and the job runner (cutover, verify, reconcile,
 * which see the agent only through a port). Other threads hand it typed commands and read the
 * status it publishes. {@link io.replicator.source.sync.TargetLink}'s Netty event loop only decodes
 * frames and hands them to the agent's inbox. What the verifications proved of each chunk is kept
 * ({@link io.replicator.source.sync.KeptHashes}) so that a cutover hashes only what was written since
 * while frozen. See docs/design/005-source-agent.md and 010-cutover-waves.md; the flow control
 * (pause, bandwidth limits, adaptive pacing) in docs/design/009-fleet-and-flow.md and
 * docs/design/011-adaptive-pacing.md.
 */
package io.replicator.source.sync;
