package io.replicator.source;

import java.util.List;

/**
 * Adaptive pacing as {@code status} shows it (docs/design/011-adaptive-pacing.md): the bounds
 * ({@code maxCpuPercent} null: pacing off; {@code maxLagMs}), what it does now ({@code state}, one of
 * {@link #STATES}), the pacing limit on bytes on the wire in force ({@code rateBytesPerSecond},
 * null: none), the daemon's share of the machine's CPU over the last second ({@code cpuPercent},
 * null before the first second or when pacing is off), and why, in words; the block bytes a second
 * full speed sent, as measured over the seconds not paced ({@code fullSpeedBytesPerSecond}, null
 * before a measure or when pacing is off), and the time that rate takes to send the changes waiting
 * ({@code drainMs}, null when pacing did not look at them this second). Immutable.
 */
public record PacingStatus(Integer maxCpuPercent, long maxLagMs, String state, Long rateBytesPerSecond,
                           Integer cpuPercent, String reason, Long fullSpeedBytesPerSecond, Long drainMs) {
    /**
     * Every value {@code state} takes, in the order the metrics list them: {@code off} (no
     * {@code --max-cpu}), {@code full_speed} (under the bound, not paced), {@code pacing} (the daemon's
     * CPU went over the bound: sending is paced), {@code lag_bound} (the lag plus the time
     * full speed takes to send the backlog reached 60% of {@code --max-pacing-lag}: full speed until it
     * is under 30%), {@code cutover} (a cutover runs: never paced, its downtime must not grow).
     */
    public static final List<String> STATES = List.of("off", "full_speed", "pacing", "lag_bound", "cutover");

    /** Pacing off. */
    public static PacingStatus off(long maxLagMs) {
        return new PacingStatus(null, maxLagMs, "off", null, null, "no --max-cpu: replication sends at full speed",
                null, null);
    }
}
