/**
 * Change tracking. {@link io.replicator.source.track.FingerprintStore} keeps, on disk in the state
 * directory, one 64-bit fingerprint per block of what the target durably holds; the scan tracker
 * is the sync agent rereading blocks and comparing their fingerprint with it. Everything here is
 * owned by the sync agent's thread.
 */
package io.replicator.source.track;
