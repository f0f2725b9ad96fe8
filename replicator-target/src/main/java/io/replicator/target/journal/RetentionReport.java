package io.replicator.target.journal;

import java.time.Duration;

/**
 * What a source's journal holds: the oldest and newest position kept (-1 when empty) and their UTC
 * times in milliseconds, its size (bytes used in its cycle files), the history asked
 * ({@code --retain}) and held (from the oldest entry kept to now), whether that is shorter than asked,
 * whether the size cap ever pruned what the retention would have kept, and what the last prune
 * removed. Immutable.
 */
public record RetentionReport(long oldestPosition, long newestPosition, long oldestTimeMs, long newestTimeMs,
                              long sizeBytes, Duration asked, Duration held, boolean shorterThanAsked,
                              boolean prunedForSize, int cyclesPruned, long bytesPruned) {
}
