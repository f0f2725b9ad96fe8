/**
 * JMH micro-benchmarks of the block codec in {@code io.replicator.protocol.block}: zero detection,
 * encoding (zero, compressible and random 64 KiB blocks), decoding of LZ4 and RAW frames, CRC32C
 * and SHA-256 chunk hashing. Each benchmark processes one fixed 64 KiB block per operation, so
 * operations per second times 65,536 is bytes per second; {@code benchmarks/run-jmh.sh} prints
 * the converted MB/s. State objects are per benchmark thread ({@code Scope.Thread}): nothing here
 * is shared between threads. Not part of {@code mvn test}.
 */
package io.replicator.benchmarks;
