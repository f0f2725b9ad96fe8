package io.replicator.source.sync;

import java.util.concurrent.TimeUnit;

/**
 * How fast the target makes data durable: the plain bytes it acknowledged per second of the time
 * during which something was in flight, so that idle time does not pull the figure down (a source
 * that sends in bursts drains at its burst rate). Measured over windows of one second in which
 * something was in flight at least a quarter of the time, and averaged exponentially (weight
 * {@value #WEIGHT} for the newest). A cutover compares the backlog with it before it freezes
 * anything. Owned by the sync agent's thread.
 */
final class DrainRate {
    static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(1);
    static final double WEIGHT = 0.3;
    private long windowStartNs;
    private long lastTickNs;
    private boolean lastInFlight;
    private long busyNs;
    private long windowBytes;
    private double bytesPerSecond;

    DrainRate(long nowNs) {
        windowStartNs = nowNs;
        lastTickNs = nowNs;
    }

    /** {@code bytes} of plain data became durable on the target. */
    void acknowledged(long bytes) {
        windowBytes += bytes;
    }

    /** Called on every turn of the agent's loop with whether anything is in flight now. */
    void tick(long nowNs, boolean inFlight) {
        if (lastInFlight) {
            busyNs += nowNs - lastTickNs;
        }
        lastTickNs = nowNs;
        lastInFlight = inFlight;
        long windowNs = nowNs - windowStartNs;
        if (windowNs < WINDOW_NS) {
            return;
        }
        if (busyNs > 0 && busyNs >= windowNs / 4 && windowBytes > 0) {
            double sample = windowBytes * 1e9 / busyNs;
            bytesPerSecond = bytesPerSecond == 0 ? sample : (1 - WEIGHT) * bytesPerSecond + WEIGHT * sample;
        }
        windowStartNs = nowNs;
        windowBytes = 0;
        busyNs = 0;
    }

    /** The measured rate in bytes per second, or 0 when nothing has been measured yet. */
    double bytesPerSecond() {
        return bytesPerSecond;
    }
}
