/**
 * The replication protocol (v2) between a source daemon and a target receiver. Knows nothing of disks or daemons:
 * {@link io.replicator.protocol.wire} holds the frames and their codec, {@link
 * io.replicator.protocol.block} the block payload codec (zero detection, LZ4, CRC32C) and the
 * chunk hashing both sides use to prove their volumes equal.
 */
package io.replicator.protocol;
