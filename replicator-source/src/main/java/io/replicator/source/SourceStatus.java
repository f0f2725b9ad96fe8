package io.replicator.source;

import java.util.List;

/**
 * What the source daemon reports to {@code ./replicator status}: its id, its {@link SourceState}, the tracker in use and why, the rescan in progress (or null),
 * the target, and each volume. While not connected, {@code lastError} says why, {@code nextAttemptMs}
 * is how long until the next connection attempt (0: one is under way; null while connected), and
 * {@code failedAttempts} counts the attempts and sessions that failed in a row since the last session
 * that made progress (see docs/design/004-reconnect-backoff.md). {@code staleMs} is 0 when the sync
 * agent gave this status now, else how old it is (the agent did not answer in time: it is busy or
 * stuck). {@code frozen} lists the mount points a cutover holds frozen now. Immutable.
 */
public record SourceStatus(String id, SourceState state, String tracker, String trackerReason, RescanStatus rescan,
                           String target, boolean connected, String lastError, long durableSequence,
                           List<VolumeStatus> volumes, Long nextAttemptMs, int failedAttempts, long staleMs,
                           List<String> frozen) {
}
