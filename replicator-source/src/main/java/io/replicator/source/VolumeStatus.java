package io.replicator.source;

/**
 * One volume in {@link SourceStatus}. {@code syncedBytes} reaches {@code sizeBytes} when the initial
 * copy is durable on the target; {@code backlogBytes} is what is known changed and not yet durable;
 * {@code sentBytes} counts payload bytes put on the wire since the daemon started; {@code lagMs} is
 * the age of the oldest change not yet durable; {@code unreplicatedBytes} is what changed after a
 * cutover and was deliberately not sent; {@code writtenSinceBytes} is the same figure under the name
 * the cutover's state uses (0 unless cut over).
 */
public record VolumeStatus(String name, String path, long sizeBytes, int blockSizeBytes, long syncedBytes,
                           long backlogBytes, long sentBytes, long lagMs, long unreplicatedBytes,
                           long writtenSinceBytes) {
}
