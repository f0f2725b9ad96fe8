package io.replicator.source;

import java.util.List;

/**
 * The answer to {@code ./replicator verify} and the proof inside a cutover. Per volume: chunks
 * compared, chunks skipped because they were changed or in flight (never counted as differences),
 * chunks that differ (their blocks are sent again), the first differing offsets, and, when every
 * chunk was compared, the SHA-256 roots of both sides. After a cutover nothing is compared: the
 * outcome is {@code cut_over}, with {@code writtenSinceBytes} written on the source since.
 */
public record VerifyResult(VerifyOutcome result, String reason, List<Volume> volumes, long writtenSinceBytes) {
    public VerifyResult(VerifyOutcome result, String reason, List<Volume> volumes) {
        this(result, reason, volumes, 0);
    }

    public record Volume(String name, long chunksCompared, long chunksInFlight, long chunksDiffering,
                         List<Long> firstDifferingOffsets, String checksumSource, String checksumTarget) {
    }

    public boolean equal() {
        return result == VerifyOutcome.OK;
    }
}
