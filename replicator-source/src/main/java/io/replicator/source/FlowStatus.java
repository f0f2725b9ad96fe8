package io.replicator.source;

import java.util.List;

/**
 * How the source may send now, in {@link SourceStatus} and as the answer to {@code pause},
 * {@code resume} and {@code throttle}: whether the admin paused sending, and the bandwidth limit in
 * force on bytes on the wire ({@code maxRateBytesPerSecond} null: none) and where it comes from
 * ({@code none}, {@code max_rate} (the configured limit), {@code schedule} (a configured window),
 * {@code throttle} (set live)). Immutable.
 */
public record FlowStatus(boolean paused, Long maxRateBytesPerSecond, String maxRateOrigin) {
    /** Every value {@code maxRateOrigin} takes, in the order the metrics list them. */
    public static final List<String> ORIGINS = List.of("none", "max_rate", "schedule", "throttle");
}
