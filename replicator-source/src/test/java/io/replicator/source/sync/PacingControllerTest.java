package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.rate.TokenBucket;
import io.replicator.source.PacingStatus;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Adaptive pacing on an injected clock with an injected CPU meter: each simulated second the daemon
 * uses a chosen share of two cores and sends a chosen number of bytes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PacingControllerTest {
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long MB = 1_000_000;

    /** The lag and backlog the test sets; block bytes sent as the seconds go (as many as on the wire). */
    private static final class FakeInputs implements PacingInputs {
        long lagMs;
        long backlogBytes;
        long sentPlainBytes;
        int lagAsked;

        @Override
        public long lagMs() {
            lagAsked++;
            return lagMs;
        }

        @Override
        public long backlogBytes() {
            return backlogBytes;
        }

        @Override
        public long sentPlainBytes() {
            return sentPlainBytes;
        }
    }

    private final TwoCoreMeter meter = new TwoCoreMeter(5 * SECOND_NS);
    private final FakeInputs lag = new FakeInputs();
    private long nowNs = 1_000 * SECOND_NS;

    /** One simulated second: the daemon takes {@code percent} of the machine and sends {@code sentBytes}. */
    private long second(PacingController c, int percent, long sentBytes, boolean cutover) {
        meter.cpuNs += 2 * SECOND_NS * percent / 100;
        c.sent(sentBytes);
        lag.sentPlainBytes += sentBytes;
        nowNs += SECOND_NS;
        return c.step(nowNs, cutover, lag);
    }

    /** A lag check's worth of time later. */
    private long check(PacingController c) {
        nowNs += TimeUnit.MILLISECONDS.toNanos(PacingController.LAG_CHECK_MS);
        return c.step(nowNs, false, lag);
    }

    @Test
    void shouldBackOffWhileTheDaemonIsOverItsCpuBoundAndRecoverOnceUnder() {
        PacingController c = new PacingController(new PacingConfig(25, 5_000), meter, nowNs);
        assertEquals("full_speed", c.status().state());
        assertEquals(TokenBucket.UNLIMITED, second(c, 10, 40 * MB, false), "under the bound: not paced");
        assertEquals(10, c.status().cpuPercent());

        long first = second(c, 40, 40 * MB, false);
        assertEquals((long) (40 * MB * PacingController.DECREASE), first, "paced below what was sent");
        PacingStatus pacing = c.status();
        assertEquals("pacing", pacing.state());
        assertEquals(first, pacing.rateBytesPerSecond());
        assertEquals(40, pacing.cpuPercent());
        assertTrue(pacing.reason().contains("daemon CPU 40% of the machine over --max-cpu 25%"), pacing.reason());

        long second = second(c, 35, first, false);
        assertTrue(second < first, "still over: lower again, " + second + " < " + first);
        long floor = first;
        for (int i = 0; i < 40; i++) {
            floor = second(c, 90, floor, false);
        }
        assertEquals(PacingController.MIN_RATE_BYTES_PER_SECOND, floor, "never below the floor");

        long raised = second(c, 20, floor, false);
        assertEquals(floor + PacingController.STEP_BYTES_PER_SECOND, raised, "under: raised additively");
        assertEquals("pacing", c.status().state());
        assertEquals(TokenBucket.UNLIMITED, second(c, 20, raised / 4, false),
                "under the bound and the sender below half the pace: full speed again");
        assertEquals("full_speed", c.status().state());
        assertNull(c.status().rateBytesPerSecond());
    }

    @Test
    void shouldNotPaceWhenTheCpuIsOverTheBoundButAlmostNothingIsSent() {
        PacingController c = new PacingController(new PacingConfig(25, 5_000), meter, nowNs);
        assertEquals(TokenBucket.UNLIMITED, second(c, 60, 1000, false));
        assertEquals("full_speed", c.status().state());
        assertTrue(c.status().reason().contains("not the sending"), c.status().reason());
    }

    @Test
    void shouldRaiseThePaceWithTheLagAndLiftItBeforeTheBoundOnceFullSpeedWouldNotDrainInTime() {
        PacingController c = new PacingController(new PacingConfig(25, 4_000), meter, nowNs);
        assertEquals(TokenBucket.UNLIMITED, second(c, 10, 20 * MB, false));
        assertEquals(TokenBucket.UNLIMITED, second(c, 10, 80 * MB, false), "under the bound");
        assertNull(c.status().fullSpeedBytesPerSecond(), "nothing was waiting: an initial copy, say, is not measured");
        lag.backlogBytes = MB;
        assertEquals(TokenBucket.UNLIMITED, second(c, 10, 20 * MB, false));
        assertEquals(20 * MB, c.status().fullSpeedBytesPerSecond(), "measured over the unpaced seconds with changes waiting");
        long paced = second(c, 50, 20 * MB, false);
        assertEquals(14 * MB, paced, "over the bound, nothing waiting: paced at 0.7 of what was sent");

        // 20 MB waiting at the 20 MB/s of full speed: 1 s to send, 1 s of lag: 2 s of the 2.4 s (60% of 4 s).
        lag.lagMs = 1_000;
        lag.backlogBytes = 20 * MB;
        long raised = check(c);
        assertEquals(Math.round(20 * MB / 1.4), raised, "the pace that sends the backlog in the 1.4 s left");
        PacingStatus status = c.status();
        assertEquals("pacing", status.state());
        assertEquals(1_000L, status.drainMs());
        assertTrue(status.reason().startsWith("lag 1000 ms with 20.0 MB waiting: pace raised to 14.3 MB/s to send it "
                + "within the 1400 ms left under 2400 ms (60% of --max-pacing-lag 4000 ms)"), status.reason());

        lag.lagMs = 1_400;
        assertEquals(TokenBucket.UNLIMITED, check(c), "1.4 s of lag + 1 s to drain reach 2.4 s: full speed, "
                + "long before the lag itself reaches the bound");
        PacingStatus bound = c.status();
        assertEquals("lag_bound", bound.state());
        assertNull(bound.rateBytesPerSecond());
        assertTrue(bound.reason().startsWith("lag 1400 ms + 1000 ms to send 20.0 MB at full speed (20.0 MB/s) reached "
                + "2400 ms (60% of --max-pacing-lag 4000 ms): full speed until it is under 1200 ms"), bound.reason());

        lag.lagMs = 800;
        lag.backlogBytes = 10 * MB;
        assertEquals(TokenBucket.UNLIMITED, check(c));
        assertEquals("lag_bound", c.status().state(), "800 + 500 ms: over 30% of the bound, still full speed");
        assertTrue(c.status().reason().contains("is over 1200 ms (30% of --max-pacing-lag 4000 ms): full speed until "
                + "it is under"), c.status().reason());
        lag.lagMs = 700;
        assertEquals(TokenBucket.UNLIMITED, check(c));
        assertEquals("full_speed", c.status().state(), "700 + 500 ms: under 30%, pacing may start again");
        assertTrue(c.status().reason().contains("pacing may start again"), c.status().reason());
        assertTrue(second(c, 90, 30 * MB, false) > 0, "and does, the CPU being over");
        assertEquals("pacing", c.status().state());
    }

    @Test
    void shouldLetAFullSpeedMeasureFadeWhilePacedDownToWhatPacingSends() {
        PacingController c = new PacingController(new PacingConfig(25, 5_000), meter, nowNs);
        lag.backlogBytes = MB;
        second(c, 10, 100 * MB, false);
        second(c, 10, 100 * MB, false);
        assertEquals(100 * MB, c.status().fullSpeedBytesPerSecond());
        assertTrue(second(c, 50, 100 * MB, false) > 0);
        double fullSpeed = 100 * MB;
        for (int i = 0; i < 10; i++) {
            second(c, 50, 5 * MB, false);
            fullSpeed = Math.max(5 * MB, fullSpeed * PacingController.PACED_DECAY);
            assertEquals(fullSpeed, c.status().fullSpeedBytesPerSecond(), 1, "a stale measure counts for less");
        }
        for (int i = 0; i < 80; i++) {
            second(c, 50, 5 * MB, false);
        }
        assertEquals(5 * MB, c.status().fullSpeedBytesPerSecond(), 1, "never under what paced seconds sent");
    }

    @Test
    void shouldNotStartPacingWhileTheLagAndTheDrainAreOverTheResumeShare() {
        PacingController c = new PacingController(new PacingConfig(25, 5_000), meter, nowNs);
        second(c, 10, 20 * MB, false);
        lag.lagMs = 1_000;
        lag.backlogBytes = 20 * MB;
        assertEquals(TokenBucket.UNLIMITED, second(c, 50, 20 * MB, false));
        PacingStatus status = c.status();
        assertEquals("full_speed", status.state());
        assertTrue(status.reason().startsWith("daemon CPU 50% of the machine over --max-cpu 25%, but lag 1000 ms + "
                + "1000 ms to send 20.0 MB at full speed (20.0 MB/s) is over 1500 ms (30% of --max-pacing-lag 5000 ms): "
                + "not paced"), status.reason());
        lag.lagMs = 100;
        lag.backlogBytes = 2 * MB;
        assertTrue(second(c, 50, 20 * MB, false) > 0, "lag and drain low: paced");
    }

    @Test
    void shouldNotPaceBeforeFullSpeedIsMeasured() {
        PacingController c = new PacingController(new PacingConfig(25, 5_000), meter, nowNs);
        lag.backlogBytes = MB;
        assertEquals(TokenBucket.UNLIMITED, second(c, 50, 20 * MB, false), "the first second has no block count to "
                + "measure full speed from");
        assertTrue(c.status().reason().contains("full speed not measured yet"), c.status().reason());
        assertNull(c.status().fullSpeedBytesPerSecond());
        assertTrue(second(c, 50, 20 * MB, false) > 0, "measured: paced");
    }

    @Test
    void shouldNotAskForTheLagWhileNotPacing() {
        PacingController c = new PacingController(new PacingConfig(25, 4_000), meter, nowNs);
        for (int i = 0; i < 5; i++) {
            second(c, 10, 20 * MB, false);
        }
        assertEquals(0, lag.lagAsked);
    }

    @Test
    void shouldNeverPaceDuringACutoverAndMeasureAfreshAfterIt() {
        PacingController c = new PacingController(new PacingConfig(25, 5_000), meter, nowNs);
        assertTrue(second(c, 80, 40 * MB, false) > 0);
        assertEquals(TokenBucket.UNLIMITED, c.step(nowNs + 1, true, lag), "a cutover lifts pacing at once");
        for (int i = 0; i < 5; i++) {
            assertEquals(TokenBucket.UNLIMITED, second(c, 100, 80 * MB, true), "never paced during the cutover");
            assertEquals("cutover", c.status().state());
        }
        assertEquals(TokenBucket.UNLIMITED, second(c, 100, 80 * MB, false), "the cutover's second is not counted");
        assertEquals("full_speed", c.status().state());
        assertTrue(second(c, 80, 40 * MB, false) > 0, "measured afresh: paced again");
    }

    @Test
    void shouldDoNothingWithoutMaxCpu() {
        PacingController c = new PacingController(PacingConfig.OFF, meter, nowNs);
        for (int i = 0; i < 5; i++) {
            assertEquals(TokenBucket.UNLIMITED, second(c, 100, 80 * MB, false));
        }
        assertEquals("off", c.status().state());
        assertNull(c.status().maxCpuPercent());
        assertNull(c.status().cpuPercent());
        assertEquals(0, lag.lagAsked);
    }

    @Test
    void shouldLetTheLowerOfPacingAndTheAdminsLimitHold() {
        FlowControl flow = new FlowControl(RateSchedule.parse(java.util.List.of("1MB/s")), new PacingConfig(25, 5_000),
                meter, Clock.systemDefaultZone(), nowNs);
        meter.cpuNs += 2 * SECOND_NS;
        flow.sent(2 * MB);
        nowNs += SECOND_NS;
        flow.pace(nowNs, false, lag);
        assertEquals("pacing", flow.pacingStatus().state());
        assertEquals(1_400_000L, flow.pacingStatus().rateBytesPerSecond());
        assertEquals(1_000_000L, flow.status().maxRateBytesPerSecond(), "--max-rate still in force");
        nowNs += 10 * SECOND_NS;
        assertTrue(flow.allows(nowNs));
        flow.sent(8 * MB);
        assertFalse(flow.allows(nowNs), "in debt with both");
        nowNs += 6 * SECOND_NS;
        assertFalse(flow.allows(nowNs), "6 s later pacing (1.4 MB/s) has room, the admin's 1 MB/s not yet");
        nowNs += 2 * SECOND_NS;
        assertTrue(flow.allows(nowNs), "8 s later both have");
    }
}
