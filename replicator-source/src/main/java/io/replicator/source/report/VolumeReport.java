package io.replicator.source.report;

import java.util.Objects;

/**
 * One volume in a cutover report: its name and size, the payload its final sync sent (from the
 * freeze to the barrier), the SHA-256 over all its blocks on the source and on the target (null
 * when not computed), and how it ended.
 */
public record VolumeReport(String name, long sizeBytes, long finalSyncBytes, String checksumSource,
                           String checksumTarget, VolumeResult result) {
    public VolumeReport {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(result, "result");
    }
}
