/**
 * Block payloads: {@link io.replicator.protocol.block.BlockEncoder} turns plain bytes into a
 * zero-range, LZ4 or raw {@link io.replicator.protocol.wire.BlockFrame} with the CRC32C of the
 * plain bytes; {@link io.replicator.protocol.block.BlockDecoder} reverses it and refuses a payload
 * whose checksum or length is wrong; {@link io.replicator.protocol.block.ChunkHashes} is the
 * SHA-256 chunk hashing and root both sides compute for verification. Encoders and decoders hold
 * scratch state and belong to one thread each.
 */
package io.replicator.protocol.block;
