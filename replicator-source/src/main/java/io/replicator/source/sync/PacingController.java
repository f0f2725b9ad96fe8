package io.replicator.source.sync;

import io.replicator.protocol.rate.TokenBucket;
import io.replicator.protocol.text.Rates;
import io.replicator.source.PacingStatus;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Adaptive pacing (docs/design/011-adaptive-pacing.md): once a second it compares the daemon's
 * share of the machine's CPU over that second ({@link CpuMeter}) with {@code --max-cpu}. Over the
 * bound, it lowers a pacing limit on bytes on the wire multiplicatively (from what was sent in
 * that second, the first time); under it, it raises the limit additively, and lifts it once the
 * sender no longer reaches half of it.
 *
 * <p>The lag is what it trades, and it keeps it under {@code --max-pacing-lag}: while it paces it
 * looks every {@value #LAG_CHECK_MS} ms at the lag and at the changes waiting
 * ({@link PacingInputs}), and at the time the rate full speed reaches (measured over the seconds it
 * did not pace) would take to send them. The lag plus that drain time is kept under
 * {@link #PACED_LAG_SHARE} of the bound: the pace is raised to what sends the backlog before the lag
 * reaches that point, and once not even full speed would, the limit is lifted ({@code lag_bound})
 * until the lag plus the drain time is under {@link #RESUME_LAG_SHARE} of the bound; pacing starts
 * only under that too. During a cutover it never paces (the downtime must not grow).
 * {@link FlowControl} applies the limit next to the admin's ({@code --max-rate}, {@code throttle}),
 * so those still cap it. Time is handed in ({@code nowNs}, monotonic), so tests drive it with their
 * own meter and inputs. Not thread-safe: owned by the sync agent's thread.
 */
final class PacingController {
    static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    static final long LAG_CHECK_MS = 100;
    /** The lowest pacing limit: below it, pacing would only build lag. */
    static final long MIN_RATE_BYTES_PER_SECOND = 1 << 20;
    /** The additive raise per second under the bound. */
    static final long STEP_BYTES_PER_SECOND = 2 << 20;
    /** The multiplicative cut per second over the bound. */
    static final double DECREASE = 0.7;
    /**
     * While paced, the lag plus the time full speed takes to send the backlog stays under this share
     * of {@code --max-pacing-lag}; the rest is the margin for what the measures miss (writes that go
     * on meanwhile, a machine busier than when full speed was measured).
     */
    static final double PACED_LAG_SHARE = 0.6;
    /** Once lifted for the lag, pacing may start again only when the lag plus the drain time is under this share. */
    static final double RESUME_LAG_SHARE = 0.3;
    /** The weight of the newest unpaced second in the measured full-speed rate. */
    static final double FULL_SPEED_WEIGHT = 0.5;
    /**
     * Each paced second the full-speed rate, no longer measured, counts for this much less (it is
     * kept at least at what the paced second sent): a measure grows stale, and one made on a
     * quieter machine or over an initial copy must not keep the lift late.
     */
    static final double PACED_DECAY = 0.95;

    private enum State {
        OFF("off"), FULL_SPEED("full_speed"), PACING("pacing"), LAG_BOUND("lag_bound"), CUTOVER("cutover");

        private final String json;

        State(String json) {
            this.json = json;
        }
    }

    /** The lag and the backlog read once in a step, and the drain time at full speed (Long.MAX_VALUE: not measured). */
    private record Reading(long lagMs, long backlogBytes, long drainMs) {
        long aheadMs() {
            return drainMs == Long.MAX_VALUE ? Long.MAX_VALUE : lagMs + drainMs;
        }
    }

    private final PacingConfig config;
    private final CpuMeter meter;
    private final long pacedLimitMs;
    private final long resumeLimitMs;
    private State state;
    /** The pacing limit in force, or {@link TokenBucket#UNLIMITED}. */
    private long rateBytesPerSecond = TokenBucket.UNLIMITED;
    private long sampleStartNs;
    private long sampleStartCpuNs;
    private long sampleStartPlainBytes;
    private long sentSinceSampleBytes;
    /** Whether pacing limited sending at any time in the current sample. */
    private boolean pacedInSample;
    private long nextControlNs;
    private long nextLagCheckNs;
    private Integer cpuPercent;
    /**
     * Block bytes a second that full speed sent, smoothed over the unpaced seconds that ended with
     * changes waiting (so that the initial copy alone does not count); 0: not measured yet.
     */
    private double fullSpeedBytesPerSecond;
    /** Bytes on the wire per block byte sent, as last measured. */
    private double wirePerPlain = 1.0;
    /** The last reading within the current second, or null. */
    private Reading reading;
    private long readingNs;
    private String reason;

    PacingController(PacingConfig config, CpuMeter meter, long nowNs) {
        this.config = config;
        this.meter = meter;
        this.pacedLimitMs = Math.max(1, Math.round(config.maxLagMs() * PACED_LAG_SHARE));
        this.resumeLimitMs = Math.round(config.maxLagMs() * RESUME_LAG_SHARE);
        this.state = config.enabled() ? State.FULL_SPEED : State.OFF;
        this.reason = config.enabled() ? "measuring the daemon's CPU" : PacingStatus.off(config.maxLagMs()).reason();
        restartSample(nowNs, meter.processCpuNs(), -1);
    }

    /** {@code wireBytes} of a frame went out. */
    void sent(long wireBytes) {
        sentSinceSampleBytes += wireBytes;
    }

    /** The pacing limit in force in bytes per second, or {@link TokenBucket#UNLIMITED}. */
    long rateBytesPerSecond() {
        return rateBytesPerSecond;
    }

    /**
     * Looks at the daemon's CPU once a second, and at the lag and the backlog ({@code inputs}, asked
     * only then) while it paces or decides to; returns the pacing limit in force after it, or
     * {@link TokenBucket#UNLIMITED}.
     */
    long step(long nowNs, boolean cutoverRunning, PacingInputs inputs) {
        if (state == State.OFF) {
            return rateBytesPerSecond;
        }
        if (cutoverRunning) {
            if (state != State.CUTOVER) {
                enter(State.CUTOVER, TokenBucket.UNLIMITED, "a cutover runs: never paced, so that its downtime does not grow");
            }
            return rateBytesPerSecond;
        }
        if (state == State.CUTOVER) {
            enter(State.FULL_SPEED, TokenBucket.UNLIMITED, "the cutover ended: measuring the daemon's CPU again");
            restartSample(nowNs, meter.processCpuNs(), inputs.sentPlainBytes());
            return rateBytesPerSecond;
        }
        boolean controlDue = nowNs - nextControlNs >= 0;
        if (controlDue) {
            measure(nowNs, inputs);
        }
        if ((state == State.PACING || state == State.LAG_BOUND) && (controlDue || nowNs - nextLagCheckNs >= 0)) {
            nextLagCheckNs = nowNs + TimeUnit.MILLISECONDS.toNanos(LAG_CHECK_MS);
            checkLag(read(nowNs, inputs));
        }
        return rateBytesPerSecond;
    }

    /** The second is over: its CPU share, the bytes sent, and what they say of full speed; then the CPU decision. */
    private void measure(long nowNs, PacingInputs inputs) {
        long elapsedNs = nowNs - sampleStartNs;
        long cpuNs = meter.processCpuNs();
        long plainBytes = inputs.sentPlainBytes();
        long sentBytesPerSecond = Math.round(sentSinceSampleBytes * 1e9 / elapsedNs);
        long cpuUsedNs = cpuNs - sampleStartCpuNs;
        // The first second has no count of block bytes to start from.
        long plainSent = sampleStartPlainBytes < 0 ? 0 : plainBytes - sampleStartPlainBytes;
        if (plainSent > 0) {
            wirePerPlain = (double) sentSinceSampleBytes / plainSent;
            double rate = plainSent * 1e9 / elapsedNs;
            if (pacedInSample) {
                fullSpeedBytesPerSecond = Math.max(rate, fullSpeedBytesPerSecond * PACED_DECAY);
            } else if (inputs.backlogBytes() > 0) {
                fullSpeedBytesPerSecond = fullSpeedBytesPerSecond == 0 ? rate
                        : FULL_SPEED_WEIGHT * rate + (1 - FULL_SPEED_WEIGHT) * fullSpeedBytesPerSecond;
            }
        }
        restartSample(nowNs, cpuNs, plainBytes);
        if (cpuNs < 0) {
            cpuPercent = null;
            enter(State.FULL_SPEED, TokenBucket.UNLIMITED, "the process's CPU time cannot be read here: not paced");
            return;
        }
        double percent = 100.0 * cpuUsedNs / ((double) elapsedNs * meter.cpus());
        cpuPercent = (int) Math.round(percent);
        control(nowNs, percent, sentBytesPerSecond, inputs);
    }

    private void control(long nowNs, double percent, long sentBytesPerSecond, PacingInputs inputs) {
        String bound = " --max-cpu " + config.maxCpuPercent() + "%";
        boolean over = percent > config.maxCpuPercent();
        switch (state) {
            case LAG_BOUND -> {
                // checkLag decides, at once after this.
            }
            case PACING -> {
                if (over) {
                    long paced = Math.max(MIN_RATE_BYTES_PER_SECOND,
                            (long) (Math.min(rateBytesPerSecond, sentBytesPerSecond) * DECREASE));
                    enter(State.PACING, paced, cpu() + " over" + bound + ": sending paced to " + Rates.format(paced));
                } else if (sentBytesPerSecond < rateBytesPerSecond / 2) {
                    enter(State.FULL_SPEED, TokenBucket.UNLIMITED, cpu() + " within" + bound
                            + " and sending below half the pace: full speed");
                } else {
                    long paced = rateBytesPerSecond + STEP_BYTES_PER_SECOND;
                    enter(State.PACING, paced, cpu() + " within" + bound + ": pace raised to " + Rates.format(paced));
                }
            }
            default -> {
                if (!over) {
                    reason = cpu() + " within" + bound + ": full speed";
                } else if (sentBytesPerSecond <= MIN_RATE_BYTES_PER_SECOND) {
                    reason = cpu() + " over" + bound + " while sending " + Rates.format(sentBytesPerSecond)
                            + ": not the sending, not paced";
                } else {
                    Reading r = read(nowNs, inputs);
                    if (r.aheadMs() > resumeLimitMs) {
                        reason = cpu() + " over" + bound + ", but " + lagAhead(r) + " is over " + resumeLimitMs
                                + " ms (" + share(RESUME_LAG_SHARE) + "): not paced";
                    } else {
                        long paced = Math.max(MIN_RATE_BYTES_PER_SECOND, (long) (sentBytesPerSecond * DECREASE));
                        enter(State.PACING, paced, cpu() + " over" + bound + ": sending paced to " + Rates.format(paced));
                    }
                }
            }
        }
    }

    /**
     * While paced: lifts the limit once the lag plus the time full speed takes to send the backlog
     * reaches {@link #pacedLimitMs}, else raises the pace to what sends the backlog before the lag
     * gets there. Lifted: paces again (at the next second) once that sum is under {@link #resumeLimitMs}.
     */
    private void checkLag(Reading r) {
        long ahead = r.aheadMs();
        if (state == State.LAG_BOUND) {
            if (ahead <= resumeLimitMs) {
                enter(State.FULL_SPEED, TokenBucket.UNLIMITED, lagAhead(r) + " back under " + resumeLimitMs + " ms ("
                        + share(RESUME_LAG_SHARE) + "): pacing may start again; " + cpu());
            } else {
                reason = lagAhead(r) + " is over " + resumeLimitMs + " ms (" + share(RESUME_LAG_SHARE)
                        + "): full speed until it is under; " + cpu();
            }
            return;
        }
        if (ahead >= pacedLimitMs) {
            enter(State.LAG_BOUND, TokenBucket.UNLIMITED, lagAhead(r) + " reached " + pacedLimitMs + " ms ("
                    + share(PACED_LAG_SHARE) + "): full speed until it is under " + resumeLimitMs + " ms");
            return;
        }
        double headroomS = (pacedLimitMs - r.lagMs()) / 1000.0;
        long needed = Math.round(r.backlogBytes() / headroomS * wirePerPlain);
        if (needed > rateBytesPerSecond) {
            enter(State.PACING, needed, "lag " + r.lagMs() + " ms with " + megabytes(r.backlogBytes())
                    + " waiting: pace raised to " + Rates.format(needed) + " to send it within the "
                    + (pacedLimitMs - r.lagMs()) + " ms left under " + pacedLimitMs + " ms (" + share(PACED_LAG_SHARE)
                    + "); " + cpu());
        }
    }

    /** The lag and the backlog, read at most once a step. */
    private Reading read(long nowNs, PacingInputs inputs) {
        if (reading != null && readingNs == nowNs) {
            return reading;
        }
        long lag = inputs.lagMs();
        long backlog = inputs.backlogBytes();
        long drain = backlog <= 0 ? 0 : fullSpeedBytesPerSecond <= 0 ? Long.MAX_VALUE
                : (long) Math.ceil(backlog * 1000.0 / fullSpeedBytesPerSecond);
        reading = new Reading(lag, backlog, drain);
        readingNs = nowNs;
        return reading;
    }

    private String lagAhead(Reading r) {
        if (r.drainMs() == Long.MAX_VALUE) {
            return "lag " + r.lagMs() + " ms with " + megabytes(r.backlogBytes())
                    + " waiting and full speed not measured yet";
        }
        return "lag " + r.lagMs() + " ms + " + r.drainMs() + " ms to send " + megabytes(r.backlogBytes())
                + " at full speed (" + Rates.format(Math.round(fullSpeedBytesPerSecond)) + ")";
    }

    private String share(double share) {
        return Math.round(share * 100) + "% of --max-pacing-lag " + config.maxLagMs() + " ms";
    }

    private String cpu() {
        return cpuPercent == null ? "daemon CPU not measured yet" : "daemon CPU " + cpuPercent + "% of the machine";
    }

    PacingStatus status() {
        if (state == State.OFF) {
            return PacingStatus.off(config.maxLagMs());
        }
        Long drain = reading == null || reading.drainMs() == Long.MAX_VALUE ? null : reading.drainMs();
        return new PacingStatus(config.maxCpuPercent(), config.maxLagMs(), state.json,
                rateBytesPerSecond == TokenBucket.UNLIMITED ? null : rateBytesPerSecond, cpuPercent, reason,
                fullSpeedBytesPerSecond > 0 ? Math.round(fullSpeedBytesPerSecond) : null, drain);
    }

    private void restartSample(long nowNs, long cpuNs, long plainBytes) {
        sampleStartNs = nowNs;
        sampleStartCpuNs = cpuNs;
        sampleStartPlainBytes = plainBytes;
        sentSinceSampleBytes = 0;
        pacedInSample = rateBytesPerSecond != TokenBucket.UNLIMITED;
        nextControlNs = nowNs + INTERVAL_NS;
        reading = null;
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private void enter(State next, long rate, String why) {
        state = next;
        rateBytesPerSecond = rate;
        pacedInSample |= rate != TokenBucket.UNLIMITED;
        reason = why;
    }
}
