package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The forecast fed one sample a second of a simulated volume. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ForecastTest {
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    /** A volume whose writes and sends run at set rates; the backlog is what was written and not sent. */
    private static final class Simulated {
        final Forecast forecast = new Forecast();
        long nowNs;
        long written;
        long sent;
        long backlog;

        /** {@code seconds} seconds of writes at {@code writeRate} and sends of up to {@code linkRate}. */
        void run(int seconds, long writeRate, long linkRate) {
            for (int i = 0; i < seconds; i++) {
                nowNs += SECOND_NS;
                written += writeRate;
                backlog += writeRate;
                long s = Math.min(backlog, linkRate);
                sent += s;
                backlog -= s;
                forecast.sample(nowNs, backlog, written, sent, -1, true);
            }
        }
    }

    @Test
    void shouldSayNotConvergingWithinTheWindowWhenWritesOutpaceTheLinkAndRecoverWhenTheyStop() {
        Simulated v = new Simulated();
        v.forecast.sample(0, 0, 0, 0, -1, true);
        v.run(20, 1_000_000, 4_000_000);
        assertFalse(v.forecast.notConverging(), "writes slower than the link converge");
        assertEquals(0L, v.forecast.catchUpMs(0));
        int seconds = 0;
        while (!v.forecast.notConverging() && seconds < 30) {
            v.run(1, 6_000_000, 4_000_000);
            seconds++;
        }
        assertTrue(v.forecast.notConverging(), "not converging after " + seconds + " s");
        assertTrue(seconds <= Forecast.WINDOW_NS / SECOND_NS + 5, "within the window and the averaging: " + seconds);
        assertNull(v.forecast.catchUpMs(v.backlog), "never caught up at these rates");
        String words = v.forecast.describe(v.backlog);
        assertTrue(words.startsWith("not converging: writes ") && words.contains("MB/s, sends "), words);
        seconds = 0;
        while (v.forecast.notConverging() && seconds < 30) {
            v.run(1, 0, 4_000_000);
            seconds++;
        }
        assertFalse(v.forecast.notConverging(), "converging again once the backlog shrinks");
        assertTrue(seconds <= 10, "as soon as the backlog shrank: " + seconds + " s");
    }

    @Test
    void shouldNotCallABurstOnAFastLinkNotConverging() {
        Simulated v = new Simulated();
        v.forecast.sample(0, 0, 0, 0, -1, true);
        for (int i = 0; i < 10; i++) {
            v.run(3, 10_000_000, 8_000_000);
            v.run(3, 0, 8_000_000);
        }
        assertFalse(v.forecast.notConverging(), "bursts that the link drains are not a trend");
    }

    @Test
    void shouldEstimateTheInitialCopyFromTheSendRate() {
        Forecast f = new Forecast();
        assertNull(f.etaMs(1_000), "nothing measured yet");
        f.sample(0, 0, 0, 0, -1, false);
        f.sample(SECOND_NS, 0, 0, 50_000_000, -1, false);
        assertEquals(20_000, f.etaMs(1_000_000_000));
        assertEquals(0L, f.etaMs(0));
        assertFalse(f.notConverging(), "never before the initial copy is done");
    }
}
