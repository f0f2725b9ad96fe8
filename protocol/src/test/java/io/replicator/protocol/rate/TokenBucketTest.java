package io.replicator.protocol.rate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bucket driven by a simulated clock and a sender that always has a frame to send. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TokenBucketTest {
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int FRAME_BYTES = 65_536 + 40;

    /** Sends frames whenever the bucket allows from {@code fromNs} for {@code durationNs}, sleeping as told; returns bytes sent. */
    static long saturate(TokenBucket bucket, long fromNs, long durationNs) {
        long now = fromNs;
        long sent = 0;
        while (now - fromNs < durationNs) {
            long wait = bucket.nsUntilAllowed(now);
            if (wait > 0) {
                now += wait;
                continue;
            }
            bucket.take(FRAME_BYTES);
            sent += FRAME_BYTES;
            now += 1_000;
        }
        return sent;
    }

    @Test
    void shouldHoldASaturatingSenderWithinTwoPercentOfTheRateOverTenSeconds() {
        for (long rate : new long[] {10_000_000, 50_000_000, 200_000_000}) {
            TokenBucket bucket = new TokenBucket(rate, 0);
            long sent = saturate(bucket, 0, 10 * SECOND_NS);
            assertEquals(rate * 10.0, sent, rate * 10.0 * 0.02, "rate " + rate + ": the burst of a tenth of a second and a frame at most");
        }
    }

    @Test
    void shouldFollowALoweredRateFromTheNextFrame() {
        TokenBucket bucket = new TokenBucket(100_000_000, 0);
        saturate(bucket, 0, SECOND_NS);
        bucket.rate(10_000_000, SECOND_NS);
        long sent = saturate(bucket, SECOND_NS, SECOND_NS);
        assertTrue(sent <= 10_000_000 + bucket.burstBytes() + FRAME_BYTES, "sent " + sent + " in the second after");
        assertTrue(sent >= 9_000_000, "sent " + sent);
    }

    @Test
    void shouldLetEverythingThroughWithoutALimitAndStopWhenInDebt() {
        TokenBucket open = new TokenBucket(TokenBucket.UNLIMITED, 0);
        open.take(Long.MAX_VALUE / 2);
        assertTrue(open.allows(0));
        TokenBucket bucket = new TokenBucket(1_000_000, 0);
        bucket.take(bucket.burstBytes() + 500_000);
        assertFalse(bucket.allows(0));
        assertEquals(500_001_000, bucket.nsUntilAllowed(0), 1_000);
        assertTrue(bucket.allows(501 * TimeUnit.MILLISECONDS.toNanos(1)));
        assertThrows(IllegalArgumentException.class, () -> bucket.rate(-1, 0));
    }
}
