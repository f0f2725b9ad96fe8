package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.rate.TokenBucket;
import io.replicator.source.PacingStatus;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
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

    /** Two cores; the test adds CPU time as the simulated seconds go. */
    private static final class FakeMeter implements CpuMeter {
        long cpuNs = 5 * SECOND_NS;

        @Override
        public long processCpuNs() {
            return cpuNs;
        }

        @Override
        public int cpus() {
            return 2;
        }
    }

    private final FakeMeter meter = new FakeMeter();
    private long nowNs = 1_000 * SECOND_NS;
    private long lagMs;
    private int lagAsked;
    private final LongSupplier lag = () -> {
        lagAsked++;
        return lagMs;
    };

    /** One simulated second: the daemon takes {@code percent} of the machine and sends {@code sentBytes}. */
    private long second(PacingController c, int percent, long sentBytes, boolean cutover) {
        meter.cpuNs += 2 * SECOND_NS * percent / 100;
        c.sent(sentBytes);
        nowNs += SECOND_NS;
        return c.step(nowNs, cutover, lag);
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
    void shouldGoFullSpeedOnceTheLagReachesItsBoundAndPaceAgainOnlyWhenItIsHalved() {
        PacingController c = new PacingController(new PacingConfig(25, 4_000), meter, nowNs);
        assertTrue(second(c, 50, 20 * MB, false) > 0);
        lagMs = 3_999;
        nowNs += TimeUnit.MILLISECONDS.toNanos(PacingController.LAG_CHECK_MS);
        assertTrue(c.step(nowNs, false, lag) > 0, "under the lag bound: still paced");
        lagMs = 4_000;
        nowNs += TimeUnit.MILLISECONDS.toNanos(PacingController.LAG_CHECK_MS);
        assertEquals(TokenBucket.UNLIMITED, c.step(nowNs, false, lag), "at the lag bound: full speed within a check");
        PacingStatus bound = c.status();
        assertEquals("lag_bound", bound.state());
        assertTrue(bound.reason().contains("reached --max-pacing-lag 4000 ms"), bound.reason());

        lagMs = 2_500;
        assertEquals(TokenBucket.UNLIMITED, second(c, 90, 30 * MB, false), "over half the bound: still full speed");
        assertEquals("lag_bound", c.status().state());
        assertTrue(c.status().reason().startsWith("lag 2500 ms since it reached --max-pacing-lag 4000 ms: full speed "
                + "until it is under 2000 ms"), c.status().reason());
        lagMs = 2_000;
        assertEquals(TokenBucket.UNLIMITED, second(c, 90, 30 * MB, false));
        assertEquals("full_speed", c.status().state(), "half the bound: pacing may start again");
        assertTrue(second(c, 90, 30 * MB, false) > 0, "and does, the CPU being over");
    }

    @Test
    void shouldNotAskForTheLagWhileNotPacing() {
        PacingController c = new PacingController(new PacingConfig(25, 4_000), meter, nowNs);
        for (int i = 0; i < 5; i++) {
            second(c, 10, 20 * MB, false);
        }
        assertEquals(0, lagAsked);
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
        assertEquals(0, lagAsked);
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
