package io.replicator.source.sync;

import io.replicator.protocol.rate.TokenBucket;
import io.replicator.protocol.text.Rates;
import io.replicator.source.FlowStatus;
import io.replicator.source.PacingStatus;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the source may put a block frame on the wire now: not while the admin paused sending
 * (tracking goes on: changes pile up in the backlog), and no faster than the {@link RateLimiter}
 * lets it, nor faster than adaptive pacing's limit ({@link PacingController}) while it paces: the
 * lower of the two holds. The {@link SendPipeline}'s window asks it before every frame. Not thread-safe: owned by
 * the sync agent's thread; other threads change it through {@link FlowRequests}, and read only
 * {@link #pausedNow}.
 */
final class FlowControl {
    private static final Logger LOG = LoggerFactory.getLogger(FlowControl.class);

    private final RateLimiter limiter;
    private final PacingController pacing;
    /** Adaptive pacing's limit, {@link TokenBucket#UNLIMITED} while it does not pace. */
    private final TokenBucket paced;
    private boolean paused;
    /** {@code paused} as other threads may read it, set with it. */
    private volatile boolean pausedNow;

    FlowControl(RateSchedule schedule, Clock clock, long nowNs) {
        this(schedule, PacingConfig.OFF, CpuMeter.process(), clock, nowNs);
    }

    FlowControl(RateSchedule schedule, PacingConfig pacingConfig, CpuMeter meter, Clock clock, long nowNs) {
        this.limiter = new RateLimiter(schedule, clock, nowNs);
        this.pacing = new PacingController(pacingConfig, meter, nowNs);
        this.paced = new TokenBucket(TokenBucket.UNLIMITED, nowNs);
    }

    /**
     * Lets adaptive pacing look at the daemon's CPU and, while it paces or decides to, at the lag and
     * the backlog ({@code inputs}, asked only then); {@code cutoverRunning}: never pace. Called every
     * cycle of the agent.
     */
    void pace(long nowNs, boolean cutoverRunning, PacingInputs inputs) {
        long rate = pacing.step(nowNs, cutoverRunning, inputs);
        if (rate != paced.bytesPerSecond()) {
            paced.rate(rate, nowNs);
        }
    }

    PacingStatus pacingStatus() {
        return pacing.status();
    }

    boolean paused() {
        return paused;
    }

    /** Whether sending is paused, as of the last change applied; any thread. */
    boolean pausedNow() {
        return pausedNow;
    }

    /** Whether a frame may go now: not paused, and the limit has room. */
    boolean allows(long nowNs) {
        return !paused && limiter.allows(nowNs) && paced.allows(nowNs);
    }

    /** How long the agent may sleep before the limit has room again (0: it has, or sending is paused). */
    long nsUntilAllowed(long nowNs) {
        return paused ? 0 : Math.max(limiter.nsUntilAllowed(nowNs), paced.nsUntilAllowed(nowNs));
    }

    /** A frame of {@code wireBytes} went out. */
    void sent(long wireBytes) {
        limiter.sent(wireBytes);
        paced.take(wireBytes);
        pacing.sent(wireBytes);
    }

    /** Applies {@code change} at {@code nowNs}; returns whether sending was paused and is not any more. */
    boolean apply(AgentCommand.SetFlow change, long nowNs) {
        boolean wasPaused = paused;
        switch (change.kind()) {
            case PAUSE -> paused = true;
            case RESUME -> paused = false;
            case THROTTLE -> limiter.throttle(change.bytesPerSecond(), nowNs);
        }
        pausedNow = paused;
        FlowStatus now = status();
        LOG.info("{}: sending {}, limit {}", change.kind().name().toLowerCase(Locale.ROOT),
                now.paused() ? "paused" : "on", now.maxRateBytesPerSecond() == null ? "none"
                        : Rates.format(now.maxRateBytesPerSecond()) + " (" + now.maxRateOrigin() + ")");
        return wasPaused && !paused;
    }

    FlowStatus status() {
        long rate = limiter.bytesPerSecond();
        return new FlowStatus(paused, rate == TokenBucket.UNLIMITED ? null : rate, limiter.origin().toString());
    }
}
