package io.replicator.target;

import java.util.List;

/**
 * A snapshot of the receiver: every source seen since it started, connected or not, and every
 * source sealed by a cutover, with its volumes. Immutable.
 */
public record TargetStatus(List<SourceStatus> sources) {
    public TargetStatus {
        sources = List.copyOf(sources);
    }

    /**
     * One source: whether it is connected now, from where, the highest sequence durable here, and its
     * seal ({@code null} when it is not sealed).
     */
    public record SourceStatus(String id, boolean connected, String remoteAddress, long durableSequence,
                               List<VolumeStatus> volumes, Sealed sealed) {
        public SourceStatus {
            volumes = List.copyOf(volumes);
        }

        /** This status with {@code sealed} as its seal. */
        public SourceStatus withSealed(Sealed seal) {
            return new SourceStatus(id, connected, remoteAddress, durableSequence, volumes, seal);
        }
    }

    /** One volume of a source: where it is written, its size, and what was applied to it since start. */
    public record VolumeStatus(String name, String path, long sizeBytes, long bytesWritten, long framesApplied) {
    }

    /** The seal of a source: when it was cut over (ISO-8601 UTC) and by which report. */
    public record Sealed(String sealedUtc, String reportId) {
    }
}
