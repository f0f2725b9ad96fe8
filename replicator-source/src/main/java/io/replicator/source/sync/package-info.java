/**
 * The source's replication. {@link io.replicator.source.sync.SyncAgent} is the one thread that owns
 * it, a shell whose duty cycle runs a few owners: the target session (link, handshake, sequences,
 * in flight, resend, acks), the change sources (passes, kernel catch-ups and walks), the send
 * pipeline (read, encode, the in-flight window) and the job runner (cutover, verify, reconcile,
 * which see the agent only through a port). Other threads hand it typed commands and read the
 * status it publishes. {@link io.replicator.source.sync.TargetLink}'s Netty event loop only decodes
 * frames and hands them to the agent's inbox. See docs/design/005-source-agent.md; the flow control
 * (pause, bandwidth limits, adaptive pacing) in docs/design/009-fleet-and-flow.md and
 * docs/design/011-adaptive-pacing.md.
 */
package io.replicator.source.sync;
