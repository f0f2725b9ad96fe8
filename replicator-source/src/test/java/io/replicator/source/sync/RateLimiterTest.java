package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.rate.TokenBucket;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The source's limit driven by a simulated clock: the monotonic time handed in and a wall clock
 * that the test moves with it, so that schedule boundaries are crossed exactly.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RateLimiterTest {
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int FRAME_BYTES = 65_536 + 40;

    /** A wall clock in UTC that moves only when told. */
    static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(LocalDateTime start) {
            this.now = start.toInstant(ZoneOffset.UTC);
        }

        void advanceNs(long ns) {
            now = now.plusNanos(ns);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A sender that always has a frame, from {@code fromNs} for {@code durationNs}; the clock moves with it. */
    private static long saturate(RateLimiter limiter, MovableClock clock, long fromNs, long durationNs) {
        long now = fromNs;
        long sent = 0;
        while (now - fromNs < durationNs) {
            long wait = limiter.nsUntilAllowed(now);
            long step = wait > 0 ? wait : 1_000;
            if (wait == 0 && limiter.allows(now)) {
                limiter.sent(FRAME_BYTES);
                sent += FRAME_BYTES;
            }
            now += step;
            clock.advanceNs(step);
        }
        return sent;
    }

    @Test
    void shouldFollowALimitChangedLiveWithinASecond() {
        MovableClock clock = new MovableClock(LocalDateTime.of(2026, 12, 7, 12, 0));
        RateLimiter limiter = new RateLimiter(RateSchedule.parse(List.of("50MB/s")), clock, 0);
        assertEquals(RateLimiter.Origin.MAX_RATE, limiter.origin());
        long before = saturate(limiter, clock, 0, 2 * SECOND_NS);
        assertEquals(100e6, before, 50e6 / 10 + FRAME_BYTES, "2 s at the rate, and the initial burst of a tenth of a second");
        limiter.throttle(10_000_000L, 2 * SECOND_NS);
        assertEquals(10_000_000, limiter.bytesPerSecond());
        assertEquals(RateLimiter.Origin.THROTTLE, limiter.origin());
        long firstSecond = saturate(limiter, clock, 2 * SECOND_NS, SECOND_NS);
        assertEquals(10e6, firstSecond, 10e6 * 0.05, "the first second after the change already holds the new limit");
        long tenSeconds = saturate(limiter, clock, 3 * SECOND_NS, 10 * SECOND_NS);
        assertEquals(100e6, tenSeconds, 100e6 * 0.05, "within 5% over 10 s");
        limiter.throttle(TokenBucket.UNLIMITED, 13 * SECOND_NS);
        assertEquals(RateLimiter.Origin.NONE, limiter.origin());
        assertTrue(saturate(limiter, clock, 13 * SECOND_NS, SECOND_NS) > 500e6, "off lifts the limit");
    }

    @Test
    void shouldSwitchAtTheScheduleBoundaryInLocalTime() {
        MovableClock clock = new MovableClock(LocalDateTime.of(2026, 12, 7, 7, 59, 58));
        RateLimiter limiter = new RateLimiter(RateSchedule.parse(List.of("20MB/s@08:00-18:00", "200MB/s")), clock, 0);
        assertEquals(200_000_000, limiter.bytesPerSecond());
        long beforeEight = saturate(limiter, clock, 0, 2 * SECOND_NS);
        assertEquals(400e6, beforeEight, 200e6 / 10 + FRAME_BYTES, "and the initial burst");
        long afterEight = saturate(limiter, clock, 2 * SECOND_NS, 10 * SECOND_NS);
        assertEquals(20_000_000, limiter.bytesPerSecond());
        assertEquals(RateLimiter.Origin.SCHEDULE, limiter.origin());
        assertEquals(200e6, afterEight, 200e6 * 0.05, "20 MB/s from 08:00, within the schedule's check interval");
        clock.advanceNs(TimeUnit.HOURS.toNanos(10) - 10 * SECOND_NS);
        long now = TimeUnit.HOURS.toNanos(10);
        assertEquals(LocalTime.of(18, 0), LocalTime.now(clock).withSecond(0).withNano(0));
        saturate(limiter, clock, now, SECOND_NS);
        assertEquals(200_000_000, limiter.bytesPerSecond(), "the rest of the day from 18:00");
        assertEquals(RateLimiter.Origin.MAX_RATE, limiter.origin());
    }

    @Test
    void shouldReadSchedulesAndRefuseBadOnes() {
        RateSchedule s = RateSchedule.parse(List.of("1MB/s@22:00-06:00", "5MB/s@12:00-13:00", "100Mbit"));
        assertEquals(1_000_000, s.bytesPerSecondAt(LocalTime.of(23, 30)));
        assertEquals(1_000_000, s.bytesPerSecondAt(LocalTime.of(5, 59)));
        assertEquals(12_500_000, s.bytesPerSecondAt(LocalTime.of(6, 0)));
        assertEquals(5_000_000, s.bytesPerSecondAt(LocalTime.of(12, 30)));
        assertEquals(TokenBucket.UNLIMITED, RateSchedule.parse(List.of("1MB/s@08:00-09:00"))
                .bytesPerSecondAt(LocalTime.of(10, 0)));
        for (String bad : new String[] {"1MB/s@8-9", "1MB/s@25:00-26:00", "1MB/s@08:00-08:00", "fast@08:00-09:00"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RateSchedule.parse(List.of(bad)), bad);
            assertTrue(e.getMessage().contains(bad.split("@")[0]), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> RateSchedule.parse(List.of("1MB/s", "2MB/s")));
    }
}
