/**
 * Change tracking. {@link io.replicator.source.track.FingerprintStore} keeps, on disk in the state
 * directory, one 64-bit fingerprint per block of what the target durably holds; the scan tracker
 * is the sync agent rereading blocks and comparing their fingerprint with it. {@link
 * io.replicator.source.track.DirtyMap} is the kernel tracker's bitmap of written blocks, marked by
 * its reader thread and cleared by the agent (thread-safe). {@link
 * io.replicator.source.track.TrackerState} is what survives a restart beside the fingerprints.
 * The fingerprint store is owned by the sync agent's thread.
 */
package io.replicator.source.track;
