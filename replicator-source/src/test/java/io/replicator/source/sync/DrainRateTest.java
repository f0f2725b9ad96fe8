package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DrainRateTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void shouldMeasureTheRateOverTheTimeSomethingWasInFlight() {
        DrainRate rate = new DrainRate(0);
        // Busy half of each 10 ms, 1 MB acknowledged per busy 5 ms: 200 MB/s while busy.
        for (long t = 0; t < 1_000; t += 10) {
            rate.tick(t * MS, true);
            rate.acknowledged(1_000_000);
            rate.tick((t + 5) * MS, false);
        }
        rate.tick(1_000 * MS, false);
        assertEquals(200e6, rate.bytesPerSecond(), 1e6);
    }

    @Test
    void shouldMeasureNothingWhileIdleAndKeepTheLastFigure() {
        DrainRate rate = new DrainRate(0);
        assertEquals(0, rate.bytesPerSecond());
        rate.tick(0, true);
        rate.acknowledged(50_000_000);
        rate.tick(1_000 * MS, false);
        assertEquals(50e6, rate.bytesPerSecond(), 1e5);
        rate.tick(2_000 * MS, false);
        rate.tick(3_000 * MS, false);
        assertEquals(50e6, rate.bytesPerSecond(), 1e5, "idle seconds do not pull it down");
    }

    @Test
    void shouldAverageNewWindowsIn() {
        DrainRate rate = new DrainRate(0);
        rate.tick(0, true);
        rate.acknowledged(100_000_000);
        rate.tick(1_000 * MS, true);
        rate.acknowledged(200_000_000);
        rate.tick(2_000 * MS, true);
        assertEquals(0.7 * 100e6 + 0.3 * 200e6, rate.bytesPerSecond(), 1e5);
    }
}
