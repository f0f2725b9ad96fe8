package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReconnectBackoffTest {
    private static final long MIN_MS = 100;
    private static final long MAX_MS = 3_200;
    private static final long STABLE_MS = 5_000;
    private static final long SEED = 42;
    private static final String FULL = "target refused: no space left on device (IO_ERROR)";

    private static ReconnectBackoff backoff() {
        return new ReconnectBackoff(MIN_MS, MAX_MS, STABLE_MS, new Random(SEED));
    }

    private static long ms(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /** A session that comes up at {@code startNs}, is answered with an error and ends at once, as with a full disk. */
    private static long refusedSession(ReconnectBackoff b, long startNs) {
        b.connected(startNs);
        b.refused(FULL);
        return b.failed(startNs + ms(5));
    }

    /** A refused session, then one that comes up and is acknowledged: returns when the second came up. */
    private static long acknowledgedSessionAfterARefusal(ReconnectBackoff b) {
        long startNs = ms(refusedSession(b, 0));
        b.connected(startNs);
        assertTrue(b.acknowledged(), "the first acknowledgement of the session");
        return startNs;
    }

    @Test
    void shouldDoubleTheCapFromTheMinimumUpToTheMaximum() {
        ReconnectBackoff b = backoff();
        assertEquals(100, b.capMs(1));
        assertEquals(200, b.capMs(2));
        assertEquals(1_600, b.capMs(5));
        assertEquals(3_200, b.capMs(6));
        assertEquals(3_200, b.capMs(7));
        assertEquals(3_200, b.capMs(Integer.MAX_VALUE));
        assertEquals(Long.MAX_VALUE / 2 + 1, new ReconnectBackoff(1, Long.MAX_VALUE / 2 + 1, 0, new Random(SEED))
                .capMs(1_000), "no overflow near the largest maximum");
    }

    @Test
    void shouldWaitBetweenHalfTheCapAndTheCapForEveryFailureInARow() {
        ReconnectBackoff b = backoff();
        long now = 0;
        for (int failure = 1; failure <= 40; failure++) {
            long cap = b.capMs(failure);
            long wait = b.failed(now);
            assertTrue(wait >= (cap + 1) / 2 && wait <= cap, "failure " + failure + ": " + wait + " ms, cap " + cap);
            assertEquals(failure, b.failures(now));
            now += ms(wait);
        }
    }

    @Test
    void shouldSpreadTheWaitsOfSourcesThatFailTogether() {
        Set<Long> waits = new HashSet<>();
        for (int source = 0; source < 20; source++) {
            ReconnectBackoff b = new ReconnectBackoff(MIN_MS, MAX_MS, STABLE_MS, new Random(source));
            for (int i = 0; i < 5; i++) {
                b.failed(0);
            }
            waits.add(b.failed(0));
        }
        assertTrue(waits.size() > 10, "20 sources at the same cap drew " + waits);
    }

    @Test
    void shouldDrawTheSameWaitsFromTheSameSeed() {
        ReconnectBackoff a = backoff();
        ReconnectBackoff b = backoff();
        for (int i = 0; i < 10; i++) {
            assertEquals(a.failed(0), b.failed(0));
        }
    }

    @Test
    void shouldBeDueOnlyOnceTheWaitHasPassed() {
        ReconnectBackoff b = backoff();
        long start = ms(1_000);
        assertTrue(b.due(start), "the first attempt goes at once");
        assertEquals(0, b.waitMs(start));
        long wait = b.failed(start);
        assertFalse(b.due(start + ms(wait) - 1));
        assertEquals(1, b.waitMs(start + ms(wait) - 1), "rounded up");
        assertEquals(wait, b.waitMs(start));
        assertTrue(b.due(start + ms(wait)));
        assertEquals(0, b.waitMs(start + ms(wait)));
    }

    @Test
    void shouldNotResetOnAHandshakeAlone() {
        ReconnectBackoff b = backoff();
        long now = 0;
        for (int i = 1; i <= 6; i++) {
            now += ms(refusedSession(b, now));
            assertEquals(i, b.failures(now));
        }
        b.connected(now);
        assertEquals(6, b.failures(now + ms(60_000)), "up for a minute, but nothing acknowledged");
        long wait = b.failed(now + ms(60_000));
        assertTrue(wait >= MAX_MS / 2, "a session without progress keeps the backoff growing: " + wait);
        assertEquals(7, b.failures(now));
    }

    @Test
    void shouldNotResetWhenTheTargetAcknowledgesAndThenRefuses() {
        ReconnectBackoff b = backoff();
        long now = acknowledgedSessionAfterARefusal(b);
        b.refused(FULL);
        assertEquals(1, b.failures(now + ms(STABLE_MS * 2)), "an error spoils the session's progress");
        b.failed(now + ms(STABLE_MS * 2));
        assertEquals(2, b.failures(now + ms(STABLE_MS * 2)));
    }

    @Test
    void shouldNotResetOnASessionThatAcknowledgedButDidNotStayUp() {
        ReconnectBackoff b = backoff();
        long now = acknowledgedSessionAfterARefusal(b);
        assertEquals(1, b.failures(now + ms(STABLE_MS) - 1));
        b.failed(now + ms(STABLE_MS) - 1);
        assertEquals(2, b.failures(now + ms(STABLE_MS)));
    }

    @Test
    void shouldResetOnlyOnceASessionMadeProgressAndStayedUp() {
        ReconnectBackoff b = backoff();
        long now = 0;
        for (int i = 0; i < 8; i++) {
            now += ms(refusedSession(b, now));
        }
        b.connected(now);
        assertTrue(b.acknowledged());
        assertFalse(b.acknowledged(), "only the first acknowledgement of a session says so");
        assertEquals(8, b.failures(now + ms(STABLE_MS) - 1));
        assertEquals(0, b.failures(now + ms(STABLE_MS)));
        long wait = b.failed(now + ms(STABLE_MS * 3));
        assertTrue(wait <= MIN_MS, "a drop after progress waits at most the minimum: " + wait);
        assertEquals(1, b.failures(now + ms(STABLE_MS * 3)));
    }

    @Test
    void shouldCountProgressOnlyInsideASession() {
        ReconnectBackoff b = backoff();
        b.failed(0);
        assertFalse(b.acknowledged(), "an acknowledgement in the handshake, before the session starts");
        b.connected(ms(100));
        assertEquals(1, b.failures(ms(100) + ms(STABLE_MS)));
    }

    @Test
    void shouldGiveTheAttemptsOwnRefusalAsItsReason() {
        ReconnectBackoff b = backoff();
        assertEquals("Connection refused", b.reason("Connection refused", 0));
        b.refused(FULL);
        assertEquals(FULL, b.reason("connection closed", 0), "a refusal before the handshake counts");
        b.failed(0);
        assertEquals("Connection refused", b.reason("Connection refused", 0), "an attempt that never got a session");
    }

    @Test
    void shouldPutASessionThatEndsSoonWithoutProgressDownToTheLastRefusal() {
        ReconnectBackoff b = backoff();
        long now = ms(refusedSession(b, 0));
        b.connected(now);
        assertEquals(FULL, b.reason("Broken pipe", now + ms(10)), "the error frame lost to a write racing the close");
        assertEquals("Broken pipe", b.reason("Broken pipe", now + ms(STABLE_MS)), "a session that stayed up");
        b.acknowledged();
        assertEquals("Broken pipe", b.reason("Broken pipe", now + ms(10)), "a session that made progress");
    }

    @Test
    void shouldForgetTheLastRefusalOnceASessionMadeProgress() {
        ReconnectBackoff b = backoff();
        long now = acknowledgedSessionAfterARefusal(b);
        b.failed(now + ms(STABLE_MS));
        b.connected(now + ms(STABLE_MS * 2));
        assertEquals("Broken pipe", b.reason("Broken pipe", now + ms(STABLE_MS * 2) + ms(10)));
    }

    @Test
    void shouldRejectABackoffThatCannotGrow() {
        assertThrows(IllegalArgumentException.class, () -> new ReconnectBackoff(0, 100, STABLE_MS, new Random(SEED)));
        assertThrows(IllegalArgumentException.class, () -> new ReconnectBackoff(200, 100, STABLE_MS, new Random(SEED)));
    }
}
