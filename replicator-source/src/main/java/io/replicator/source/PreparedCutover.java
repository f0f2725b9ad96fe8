package io.replicator.source;

import java.util.List;

/**
 * A cutover verified and held ({@code POST /cutover/prepare}): every volume is durable on the
 * receiver and verified equal, the file systems stay frozen ({@code fileSystems} {@code frozen}, or
 * {@code none} without freeze) until the commit, the abort or the deadline; {@code verification} says
 * how the chunks were verified while frozen ({@code incremental}, or {@code full (why)}). {@code result} is always
 * {@code verified}; times are UTC (ISO-8601). Immutable.
 */
public record PreparedCutover(String result, String source, String waveId, String askedBy, String freezeStartedUtc,
                              String verifiedUtc, long downtimeMs, long finalSyncBytes, List<Volume> volumes,
                              CutoverResult.FileSystems fileSystems, List<String> frozen, String verification)
        implements PrepareAnswer {
    public static final String VERIFIED = "verified";

    /** One volume: its size, what the final sync sent of it, both SHA-256 roots. */
    public record Volume(String name, long sizeBytes, long finalSyncBytes, String checksumSource,
                         String checksumTarget, boolean verified) {
    }
}
