package io.replicator.source.sync;

import java.util.concurrent.TimeUnit;

/**
 * How fast the target makes data durable: the plain bytes it acknowledged per second, averaged
 * (exponentially, weight {@value #WEIGHT} for the newest) over the one-second windows during
 * which something was in flight all along, so that idle seconds do not pull it down. A cutover
 * compares the backlog with it before it freezes anything. Owned by the sync agent's thread.
 */
final class DrainRate {
    static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(1);
    static final double WEIGHT = 0.3;
    private long windowStartNs;
    private long windowBytes;
    private boolean busyAllWindow;
    private double bytesPerSecond;

    DrainRate(long nowNs) {
        windowStartNs = nowNs;
    }

    /** {@code bytes} of plain data became durable on the target. */
    void acknowledged(long bytes) {
        windowBytes += bytes;
    }

    /** Called on every loop of the agent with whether anything is in flight now. */
    void tick(long nowNs, boolean inFlight) {
        busyAllWindow &= inFlight;
        if (nowNs - windowStartNs < WINDOW_NS) {
            return;
        }
        if (busyAllWindow && windowBytes > 0) {
            double sample = windowBytes * 1e9 / (nowNs - windowStartNs);
            bytesPerSecond = bytesPerSecond == 0 ? sample : (1 - WEIGHT) * bytesPerSecond + WEIGHT * sample;
        }
        windowStartNs = nowNs;
        windowBytes = 0;
        busyAllWindow = inFlight;
    }

    /** The measured rate in bytes per second, or 0 when nothing has been measured yet. */
    double bytesPerSecond() {
        return bytesPerSecond;
    }
}
