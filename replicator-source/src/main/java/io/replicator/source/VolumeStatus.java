package io.replicator.source;

/**
 * One volume in {@link SourceStatus}. {@code syncedBytes} reaches {@code sizeBytes} when the initial
 * copy is durable on the target; {@code backlogBytes} is what is known changed and not yet durable;
 * {@code sentBytes} counts payload bytes put on the wire since the daemon started; {@code lagMs} is
 * the age of the oldest change not yet durable; {@code unreplicatedBytes} is what changed after a
 * cutover and was deliberately not sent; {@code writtenSinceBytes} is the same figure under the name
 * the cutover's state uses (0 unless cut over). The forecast: {@code writeBytesPerSecond} is how fast
 * blocks change on the source, {@code sendBytesPerSecond} how fast changes are sent (plain bytes),
 * {@code initialSyncEtaMs} the time left for the initial copy at that rate (0 when done, null while
 * nothing was measured), {@code catchUpMs} the time to send the backlog while writes go on (null when
 * it never is at these rates), {@code converging} false once the backlog grows because writes outpace
 * sends, and {@code forecast} all of it in words.
 */
public record VolumeStatus(String name, String path, long sizeBytes, int blockSizeBytes, long syncedBytes,
                           long backlogBytes, long sentBytes, long lagMs, long unreplicatedBytes,
                           long writtenSinceBytes, long writeBytesPerSecond, long sendBytesPerSecond,
                           Long initialSyncEtaMs, Long catchUpMs, boolean converging, String forecast) {

    /** A volume without a forecast, not cut over. */
    public VolumeStatus(String name, String path, long sizeBytes, int blockSizeBytes, long syncedBytes,
                        long backlogBytes, long sentBytes, long lagMs, long unreplicatedBytes) {
        this(name, path, sizeBytes, blockSizeBytes, syncedBytes, backlogBytes, sentBytes, lagMs, unreplicatedBytes,
                0, 0, 0, null, null, true, "");
    }
}
