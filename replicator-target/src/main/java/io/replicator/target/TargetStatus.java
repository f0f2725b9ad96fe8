package io.replicator.target;

import java.util.List;

/**
 * A snapshot of the receiver: every source seen since it started, connected or not, with its
 * volumes. Immutable.
 */
public record TargetStatus(List<SourceStatus> sources) {
    public TargetStatus {
        sources = List.copyOf(sources);
    }

    /** One source: whether it is connected now, from where, and the highest sequence durable here. */
    public record SourceStatus(String id, boolean connected, String remoteAddress, long durableSequence,
                               List<VolumeStatus> volumes) {
        public SourceStatus {
            volumes = List.copyOf(volumes);
        }
    }

    /** One volume of a source: where it is written, its size, and what was applied to it since start. */
    public record VolumeStatus(String name, String path, long sizeBytes, long bytesWritten, long framesApplied) {
    }
}
