/**
 * The replication protocol (v2) between a source daemon and a target receiver. Knows nothing of disks or daemons:
 * {@link io.replicator.protocol.wire} holds the frames and their codec, {@link
 * io.replicator.protocol.block} the block payload codec (zero detection, LZ4, CRC32C) and the
 * chunk hashing both sides use to prove their volumes equal, {@link io.replicator.protocol.tls} the PKI
 * and TLS, {@link io.replicator.protocol.guard} what every listening endpoint uses against strangers
 * (connection limits, rate-limited refusal lines, peer text made safe to log).
 */
package io.replicator.protocol;
