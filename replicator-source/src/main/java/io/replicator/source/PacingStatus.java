package io.replicator.source;

import java.util.List;

/**
 * Adaptive pacing as {@code status} shows it (docs/design/011-adaptive-pacing.md): the bounds
 * ({@code maxCpuPercent} null: pacing off; {@code maxLagMs}), what it does now ({@code state}, one of
 * {@link #STATES}), the pacing limit on bytes on the wire in force ({@code rateBytesPerSecond},
 * null: none), the daemon's share of the machine's CPU over the last second ({@code cpuPercent},
 * null before the first second or when pacing is off), and why, in words. Immutable.
 */
public record PacingStatus(Integer maxCpuPercent, long maxLagMs, String state, Long rateBytesPerSecond,
                           Integer cpuPercent, String reason) {
    /**
     * Every value {@code state} takes, in the order the metrics list them: {@code off} (no
     * {@code --max-cpu}), {@code full_speed} (under the bound, not paced), {@code pacing} (the daemon's
     * CPU went over the bound: sending is paced), {@code lag_bound} (the lag reached
     * {@code --max-pacing-lag}: full speed until it is half that again), {@code cutover} (a cutover
     * runs: never paced, its downtime must not grow).
     */
    public static final List<String> STATES = List.of("off", "full_speed", "pacing", "lag_bound", "cutover");

    /** Pacing off. */
    public static PacingStatus off(long maxLagMs) {
        return new PacingStatus(null, maxLagMs, "off", null, null, "no --max-cpu: replication sends at full speed");
    }
}
