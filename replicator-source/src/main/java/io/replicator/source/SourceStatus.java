package io.replicator.source;

import java.util.List;

/**
 * What the source daemon reports to {@code ./replicator status}: its id, its {@link SourceState}, the tracker in use and why, the rescan in progress (or null),
 * the target, and each volume. While not connected, {@code lastError} says why, {@code nextAttemptMs}
 * is how long until the next connection attempt (0: one is under way; null while connected), and
 * {@code failedAttempts} counts the attempts and sessions that failed in a row since the last session
 * that made progress (see docs/design/004-reconnect-backoff.md). {@code staleMs} is 0 when the sync
 * agent gave this status now, else how old it is (the agent did not answer in time: it is busy or
 * stuck). {@code frozen} lists the mount points a cutover holds frozen now. {@code cutOver} says when
 * and by which report the source was cut over (null while it replicates). Immutable.
 */
public record SourceStatus(String id, SourceState state, String tracker, String trackerReason, RescanStatus rescan,
                           String target, boolean connected, String lastError, long durableSequence,
                           List<VolumeStatus> volumes, Long nextAttemptMs, int failedAttempts, long staleMs,
                           List<String> frozen, CutOver cutOver) {
    /** The cutover that ended replication: its wave and report (null when learned from the receiver), when, how. */
    public record CutOver(String waveId, String reportId, String cutOverUtc, String how, String detail) {
    }

    /** This status with {@code tracker} and its reason. */
    public SourceStatus withTracker(String tracker, String trackerReason) {
        return new SourceStatus(id, state, tracker, trackerReason, rescan, target, connected, lastError,
                durableSequence, volumes, nextAttemptMs, failedAttempts, staleMs, frozen, cutOver);
    }

    /** This status given {@code staleMs} old, with {@code connected} and {@code lastError} as the caller knows them. */
    public SourceStatus stale(long staleMs, boolean connected, String lastError) {
        return new SourceStatus(id, state, tracker, trackerReason, rescan, target, connected, lastError,
                durableSequence, volumes, nextAttemptMs, failedAttempts, staleMs, frozen, cutOver);
    }
}
