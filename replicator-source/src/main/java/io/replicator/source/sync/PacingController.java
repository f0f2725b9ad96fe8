package io.replicator.source.sync;

import io.replicator.protocol.rate.TokenBucket;
import io.replicator.protocol.text.Rates;
import io.replicator.source.PacingStatus;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Adaptive pacing (docs/design/011-adaptive-pacing.md): once a second it compares the daemon's
 * share of the machine's CPU over that second ({@link CpuMeter}) with {@code --max-cpu}. Over the
 * bound, it lowers a pacing limit on bytes on the wire multiplicatively (from what was sent in
 * that second, the first time); under it, it raises the limit additively, and lifts it once the
 * sender no longer reaches half of it. The lag is what it trades: while it paces, it looks at the
 * lag every {@value #LAG_CHECK_MS} ms, and once the lag reaches {@code --max-pacing-lag} it lifts
 * the limit until the lag is back under half of that. During a cutover it never paces (the
 * downtime must not grow). {@link FlowControl} applies the limit next to the admin's
 * ({@code --max-rate}, {@code throttle}), so those still cap it. Time is handed in ({@code nowNs},
 * monotonic), so tests drive it with their own meter. Not thread-safe: owned by the sync agent's
 * thread.
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

    private enum State {
        OFF("off"), FULL_SPEED("full_speed"), PACING("pacing"), LAG_BOUND("lag_bound"), CUTOVER("cutover");

        private final String json;

        State(String json) {
            this.json = json;
        }
    }

    private final PacingConfig config;
    private final CpuMeter meter;
    private State state;
    /** The pacing limit in force, or {@link TokenBucket#UNLIMITED}. */
    private long rateBytesPerSecond = TokenBucket.UNLIMITED;
    private long sampleStartNs;
    private long sampleStartCpuNs;
    private long sentSinceSampleBytes;
    private long nextControlNs;
    private long nextLagCheckNs;
    private Integer cpuPercent;
    private String reason;

    PacingController(PacingConfig config, CpuMeter meter, long nowNs) {
        this.config = config;
        this.meter = meter;
        this.state = config.enabled() ? State.FULL_SPEED : State.OFF;
        this.reason = config.enabled() ? "measuring the daemon's CPU" : PacingStatus.off(config.maxLagMs()).reason();
        restartSample(nowNs, meter.processCpuNs());
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
     * Looks at the daemon's CPU once a second, and while pacing at the lag ({@code lagMs}, asked
     * only then); returns the pacing limit in force after it, or {@link TokenBucket#UNLIMITED}.
     */
    long step(long nowNs, boolean cutoverRunning, LongSupplier lagMs) {
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
            restartSample(nowNs, meter.processCpuNs());
            return rateBytesPerSecond;
        }
        if (state == State.PACING && nowNs - nextLagCheckNs >= 0) {
            nextLagCheckNs = nowNs + TimeUnit.MILLISECONDS.toNanos(LAG_CHECK_MS);
            long lag = lagMs.getAsLong();
            if (lag >= config.maxLagMs()) {
                enter(State.LAG_BOUND, TokenBucket.UNLIMITED, "lag " + lag + " ms reached --max-pacing-lag "
                        + config.maxLagMs() + " ms: full speed until it is under " + config.maxLagMs() / 2 + " ms");
            }
        }
        if (nowNs - nextControlNs < 0) {
            return rateBytesPerSecond;
        }
        long elapsedNs = nowNs - sampleStartNs;
        long cpuNs = meter.processCpuNs();
        long sentBytesPerSecond = Math.round(sentSinceSampleBytes * 1e9 / elapsedNs);
        long cpuUsedNs = cpuNs - sampleStartCpuNs;
        restartSample(nowNs, cpuNs);
        if (cpuNs < 0) {
            cpuPercent = null;
            enter(State.FULL_SPEED, TokenBucket.UNLIMITED, "the process's CPU time cannot be read here: not paced");
            return rateBytesPerSecond;
        }
        double percent = 100.0 * cpuUsedNs / ((double) elapsedNs * meter.cpus());
        cpuPercent = (int) Math.round(percent);
        control(percent, sentBytesPerSecond, lagMs);
        return rateBytesPerSecond;
    }

    private void control(double percent, long sentBytesPerSecond, LongSupplier lagMs) {
        String cpu = "daemon CPU " + cpuPercent + "% of the machine";
        String bound = " --max-cpu " + config.maxCpuPercent() + "%";
        boolean over = percent > config.maxCpuPercent();
        switch (state) {
            case LAG_BOUND -> {
                long lag = lagMs.getAsLong();
                if (lag <= config.maxLagMs() / 2) {
                    enter(State.FULL_SPEED, TokenBucket.UNLIMITED, "lag back to " + lag + " ms; " + cpu);
                } else {
                    reason = "lag " + lag + " ms since it reached --max-pacing-lag " + config.maxLagMs()
                            + " ms: full speed until it is under " + config.maxLagMs() / 2 + " ms; " + cpu;
                }
            }
            case PACING -> {
                if (over) {
                    long paced = Math.max(MIN_RATE_BYTES_PER_SECOND,
                            (long) (Math.min(rateBytesPerSecond, sentBytesPerSecond) * DECREASE));
                    enter(State.PACING, paced, cpu + " over" + bound + ": sending paced to " + Rates.format(paced));
                } else if (sentBytesPerSecond < rateBytesPerSecond / 2) {
                    enter(State.FULL_SPEED, TokenBucket.UNLIMITED, cpu + " within" + bound
                            + " and sending below half the pace: full speed");
                } else {
                    long paced = rateBytesPerSecond + STEP_BYTES_PER_SECOND;
                    enter(State.PACING, paced, cpu + " within" + bound + ": pace raised to " + Rates.format(paced));
                }
            }
            default -> {
                if (!over) {
                    reason = cpu + " within" + bound + ": full speed";
                } else if (sentBytesPerSecond <= MIN_RATE_BYTES_PER_SECOND) {
                    reason = cpu + " over" + bound + " while sending " + Rates.format(sentBytesPerSecond)
                            + ": not the sending, not paced";
                } else {
                    long paced = Math.max(MIN_RATE_BYTES_PER_SECOND, (long) (sentBytesPerSecond * DECREASE));
                    enter(State.PACING, paced, cpu + " over" + bound + ": sending paced to " + Rates.format(paced));
                }
            }
        }
    }

    PacingStatus status() {
        if (state == State.OFF) {
            return PacingStatus.off(config.maxLagMs());
        }
        return new PacingStatus(config.maxCpuPercent(), config.maxLagMs(), state.json,
                rateBytesPerSecond == TokenBucket.UNLIMITED ? null : rateBytesPerSecond, cpuPercent, reason);
    }

    private void enter(State next, long rate, String why) {
        if (next == State.PACING && state != State.PACING) {
            nextLagCheckNs = sampleStartNs;
        }
        state = next;
        rateBytesPerSecond = rate;
        reason = why;
    }

    private void restartSample(long nowNs, long cpuNs) {
        sampleStartNs = nowNs;
        sampleStartCpuNs = cpuNs;
        sentSinceSampleBytes = 0;
        nextControlNs = nowNs + INTERVAL_NS;
    }
}
