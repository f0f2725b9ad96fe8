package io.replicator.target;

import java.util.List;

/**
 * A snapshot of the receiver, the fleet it serves: every source it knows, connected or not (those
 * seen before a restart too, from their {@code fleet} files, and every source sealed by a cutover),
 * with its volumes. {@code role} is
 * always {@code receiver}, which tells a client this answer from a source's. Counters that describe
 * data ({@code durableBytes}, {@code lastSeenMs}) survive a restart; rates and the counters of what
 * arrived count since {@code startedAtMs}, when the receiver started. {@code maxRateBytesPerSecond}
 * is the limit on bytes received over all sources, null for none. Immutable.
 */
public record TargetStatus(String role, long startedAtMs, Long maxRateBytesPerSecond, List<SourceStatus> sources) {
    public TargetStatus {
        sources = List.copyOf(sources);
    }

    /** A fleet without a rate limit, as of {@code startedAtMs} 0. */
    public TargetStatus(List<SourceStatus> sources) {
        this("receiver", 0, null, sources);
    }

    /**
     * One source: {@code state} ({@code connected} or {@code disconnected}), whether a session is up
     * now, from where, the highest sequence durable here, when it was last heard from (epoch ms,
     * null when never since its files were made), and its seal ({@code null} when it is not sealed).
     */
    public record SourceStatus(String id, boolean connected, String remoteAddress, long durableSequence,
                               List<VolumeStatus> volumes, String state, Long lastSeenMs, Sealed sealed,
                               History history) {
        public SourceStatus {
            volumes = List.copyOf(volumes);
        }

        public SourceStatus(String id, boolean connected, String remoteAddress, long durableSequence,
                            List<VolumeStatus> volumes, String state, Long lastSeenMs, Sealed sealed) {
            this(id, connected, remoteAddress, durableSequence, volumes, state, lastSeenMs, sealed, null);
        }

        /** This status with {@code sealed} as its seal. */
        public SourceStatus withSealed(Sealed seal) {
            return new SourceStatus(id, connected, remoteAddress, durableSequence, volumes, state, lastSeenMs, seal,
                    history);
        }

        /** This status with {@code kept} as its history. */
        public SourceStatus withHistory(History kept) {
            return new SourceStatus(id, connected, remoteAddress, durableSequence, volumes, state, lastSeenMs, sealed,
                    kept);
        }
    }

    /**
     * What the receiver keeps of a source's past (null before its journal phase and first checkpoint):
     * the oldest and newest launchable checkpoint (null when none), the bytes its journal uses, the
     * history held (from the oldest launchable checkpoint to now) and asked ({@code --retain}, or the
     * journal's age while younger), whether the history is shorter than asked, and whether undo is not
     * being kept now (a gap until the next checkpoint).
     */
    public record History(Point oldestLaunchable, Point newestLaunchable, int checkpoints, long journalBytes,
                          long heldMs, long askedMs, boolean historyShort, boolean gap) {
    }

    /** A checkpoint: its id, UTC time (epoch ms) and label. */
    public record Point(long id, long timeMs, String label) {
    }

    /**
     * One volume of a source: where it is written, its size, what was applied to it since start,
     * {@code durableBytes} made durable here since the source was first seen, {@code receivedBytes}
     * on the wire since start and {@code receiveBytesPerSecond} lately, and {@code lagMs} how long the
     * oldest block received and not yet durable has waited.
     */
    public record VolumeStatus(String name, String path, long sizeBytes, long bytesWritten, long framesApplied,
                               long durableBytes, long receivedBytes, long receiveBytesPerSecond, long lagMs) {
    }

    /** The seal of a source: when it was cut over (ISO-8601 UTC) and by which report. */
    public record Sealed(String sealedUtc, String reportId) {
    }
}
