/**
 * The target receiver's API: {@link io.replicator.target.TargetServer} started from a {@link
 * io.replicator.target.TargetConfig}, its {@link io.replicator.target.TargetStatus} snapshots and its
 * {@link io.replicator.target.TargetMetrics}. Sources connect over protocol v1; each session's
 * frames are checked on a Netty event loop and applied by the session's own apply thread
 * ({@code io.replicator.target.apply}), which acks only after the fsync that made them durable. A
 * cutover seals a source id ({@code io.replicator.target.cutover}): the receiver then refuses it,
 * across restarts, until an administrator releases it.
 */
package io.replicator.target;
