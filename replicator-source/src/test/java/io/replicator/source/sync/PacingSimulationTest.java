package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.rate.TokenBucket;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Adaptive pacing against a simulated daemon on an injected clock: an application writes random
 * 4 KiB blocks of a volume at a steady rate; the daemon walks the dirty blocks in address order as
 * the kernel tracker's walks do (a block written behind the walk waits for the next one), at most
 * at its full-speed rate and no faster than pacing's limit; each block sent costs CPU. The lag is
 * modelled as the daemon measures it: the age of the oldest region of dirty blocks, a region's
 * time moving forward only once a walk took it whole.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacingSimulationTest {
    private static final int BLOCK_BYTES = 4096;
    private static final int REGION_BLOCKS = 4096;
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    /** The simulated daemon and application; one instance runs one scenario. */
    private static final class Daemon implements PacingInputs {
        final boolean[] dirty;
        final long[] regionMarkNs;
        final Random random = new Random(42);
        /** Blocks a second the application writes; the test changes it as the scenario goes. */
        double writeBlocksPerSecond;
        final double fullSpeedBlocksPerSecond;
        /** CPU ns the daemon spends per block sent, and at rest (share of one core). */
        final long cpuNsPerBlock;
        final double idleCores;
        final double wirePerBlockByte;
        long nowNs = 1_000 * SECOND_NS;
        final TwoCoreMeter meter = new TwoCoreMeter(0);
        long sentPlainBytes;
        long dirtyCount;
        int walkBlock = -1;
        long walkRegionEnteredNs;
        long gatherUntilNs;
        double writeCarry;
        double sendCarry;
        final TokenBucket paced;

        Daemon(int blocks, double fullSpeedBlocksPerSecond, long cpuNsPerBlock, double idleCores, double wirePerBlockByte) {
            this.dirty = new boolean[blocks];
            this.regionMarkNs = new long[(blocks + REGION_BLOCKS - 1) / REGION_BLOCKS];
            Arrays.fill(regionMarkNs, Long.MIN_VALUE);
            this.fullSpeedBlocksPerSecond = fullSpeedBlocksPerSecond;
            this.cpuNsPerBlock = cpuNsPerBlock;
            this.idleCores = idleCores;
            this.wirePerBlockByte = wirePerBlockByte;
            this.paced = new TokenBucket(TokenBucket.UNLIMITED, nowNs);
        }

        /** One tick of the application and the daemon; the daemon sends through {@code controller}. */
        void tick(PacingController controller) {
            nowNs += TICK_NS;
            meter.cpuNs += Math.round(idleCores * TICK_NS);
            writeCarry += writeBlocksPerSecond * TICK_NS / 1e9;
            for (; writeCarry >= 1; writeCarry--) {
                int b = random.nextInt(dirty.length);
                if (!dirty[b]) {
                    dirty[b] = true;
                    dirtyCount++;
                    int region = b / REGION_BLOCKS;
                    if (regionMarkNs[region] == Long.MIN_VALUE) {
                        regionMarkNs[region] = nowNs;
                    }
                }
            }
            sendCarry = Math.min(sendCarry + fullSpeedBlocksPerSecond * TICK_NS / 1e9, fullSpeedBlocksPerSecond);
            while (sendCarry >= 1 && paced.allows(nowNs) && walk()) {
                sendCarry--;
                long wire = Math.round(BLOCK_BYTES * wirePerBlockByte);
                paced.take(wire);
                controller.sent(wire);
                sentPlainBytes += BLOCK_BYTES;
                meter.cpuNs += cpuNsPerBlock;
            }
            if (sendCarry > 1) {
                sendCarry = 1;
            }
            long rate = controller.step(nowNs, false, this);
            if (rate != paced.bytesPerSecond()) {
                paced.rate(rate, nowNs);
            }
        }

        /** Sends the next dirty block of the walk (starting one when due); false when there is none now. */
        private boolean walk() {
            if (walkBlock < 0) {
                if (dirtyCount == 0 || nowNs - gatherUntilNs < 0) {
                    return false;
                }
                walkBlock = 0;
                walkRegionEnteredNs = nowNs;
            }
            while (walkBlock < dirty.length) {
                int b = walkBlock++;
                if (walkBlock % REGION_BLOCKS == 0 || walkBlock == dirty.length) {
                    leaveRegion(b / REGION_BLOCKS);
                }
                if (dirty[b]) {
                    dirty[b] = false;
                    dirtyCount--;
                    return true;
                }
            }
            walkBlock = -1;
            gatherUntilNs = nowNs + WalkSource.GATHER_NS;
            return false;
        }

        /** The walk took the region whole: what is dirty there now was marked after it entered it. */
        private void leaveRegion(int region) {
            boolean any = false;
            for (int b = region * REGION_BLOCKS; b < Math.min(dirty.length, (region + 1) * REGION_BLOCKS) && !any; b++) {
                any = dirty[b];
            }
            regionMarkNs[region] = any ? Math.max(regionMarkNs[region], walkRegionEnteredNs) : Long.MIN_VALUE;
            walkRegionEnteredNs = nowNs;
        }

        @Override
        public long lagMs() {
            long oldest = Long.MAX_VALUE;
            for (long t : regionMarkNs) {
                if (t != Long.MIN_VALUE) {
                    oldest = Math.min(oldest, t);
                }
            }
            return oldest == Long.MAX_VALUE ? 0 : TimeUnit.NANOSECONDS.toMillis(nowNs - oldest);
        }

        @Override
        public long backlogBytes() {
            return dirtyCount * BLOCK_BYTES;
        }

        @Override
        public long sentPlainBytes() {
            return sentPlainBytes;
        }
    }

    /** What one stretch of a scenario did. */
    private static final class Run {
        long maxLagMs;
        final Map<String, Integer> states = new TreeMap<>();
        int resumedAfterLagBound;
        long cpuNs;
        long sentBytes;
        String lagBoundReason;
        String raisedReason;

        int ticks() {
            return states.values().stream().mapToInt(Integer::intValue).sum();
        }

        double share(String state) {
            return states.getOrDefault(state, 0) / (double) ticks();
        }
    }

    private static Run run(Daemon d, PacingController c, long seconds) {
        Run r = new Run();
        long startCpu = d.meter.cpuNs;
        long startSent = d.sentPlainBytes;
        String last = c.status().state();
        boolean sawLagBound = false;
        for (long t = 0; t < seconds * SECOND_NS; t += TICK_NS) {
            d.tick(c);
            r.maxLagMs = Math.max(r.maxLagMs, d.lagMs());
            String state = c.status().state();
            r.states.merge(state, 1, Integer::sum);
            if (state.equals("lag_bound") && r.lagBoundReason == null) {
                r.lagBoundReason = c.status().reason();
            }
            if (state.equals("pacing") && c.status().reason().contains("pace raised") && r.raisedReason == null
                    && c.status().reason().startsWith("lag ")) {
                r.raisedReason = c.status().reason();
            }
            sawLagBound |= state.equals("lag_bound");
            if (sawLagBound && state.equals("pacing") && !last.equals("pacing")) {
                r.resumedAfterLagBound++;
                sawLagBound = false;
            }
            last = state;
        }
        r.cpuNs = d.meter.cpuNs - startCpu;
        r.sentBytes = d.sentPlainBytes - startSent;
        return r;
    }

    /**
     * 8,000 writes a second: 10 s to settle, then 300 s in which the lag must stay under
     * {@code boundMs} and pacing hold more than {@code pacedShare} of the time.
     */
    private static Run overload(Daemon d, PacingController c, long boundMs, double pacedShare) {
        d.writeBlocksPerSecond = 8_000;
        run(d, c, 10);
        Run r = run(d, c, 300);
        assertTrue(r.maxLagMs < boundMs, "the lag never reached the bound: " + r.maxLagMs + " ms, " + r.states);
        assertTrue(r.share("pacing") > pacedShare, "paced a share of the time: " + r.states);
        return r;
    }

    /**
     * fio's 4 KiB random writes as in the benchmark (8,000 a second over 512 MiB) with a daemon that
     * takes 10% of 2 cores to keep up and 5% allowed: pacing cannot keep up, the lag grows while
     * it paces, and the lag must still never pass {@code --max-pacing-lag}.
     */
    @Test
    void shouldKeepTheLagUnderTheBoundUnderASteadyOverloadPacedToACpuBound() {
        Daemon d = new Daemon(131_072, 25_000, 25_000, 0.01, 0.9);
        PacingController c = new PacingController(new PacingConfig(5, 5_000), d.meter, d.nowNs);
        Run overload = overload(d, c, 5_000, 0.3);
        assertTrue(overload.resumedAfterLagBound >= 5, "pacing started again after each lift: "
                + overload.resumedAfterLagBound + ", " + overload.states);
        assertTrue(overload.lagBoundReason.contains("at full speed") && overload.lagBoundReason.contains("reached 3000 ms "
                + "(60% of --max-pacing-lag 5000 ms)"), overload.lagBoundReason);
        assertTrue(overload.raisedReason != null && overload.raisedReason.contains("waiting: pace raised to"),
                "the pace followed the lag: " + overload.raisedReason);

        PacingController unpaced = new PacingController(PacingConfig.OFF, d.meter, d.nowNs);
        Run full = run(d, unpaced, 60);
        assertEquals(Map.of("off", full.ticks()), full.states);
        double pacedCpuPerSecond = overload.cpuNs / 300.0;
        double fullCpuPerSecond = full.cpuNs / 60.0;
        System.out.printf("overload: max lag %d ms, states %s, CPU %.0f ms/s paced, %.0f ms/s at full speed%n",
                overload.maxLagMs, overload.states, pacedCpuPerSecond / 1e6, fullCpuPerSecond / 1e6);
        // With the lag bounded, what is written must be sent: pacing saves what blocks written
        // again within the longer walks save, and moves the rest in time.
        assertTrue(pacedCpuPerSecond < fullCpuPerSecond, "pacing saved CPU: " + pacedCpuPerSecond + " ns/s against "
                + fullCpuPerSecond + " ns/s at full speed");
    }

    /** A bound tighter still (5% with 20% needed at full speed) and a shorter lag bound. */
    @Test
    void shouldKeepTheLagUnderATightBoundWithAHeavierLoad() {
        Daemon d = new Daemon(65_536, 20_000, 50_000, 0.02, 0.5);
        overload(d, new PacingController(new PacingConfig(5, 2_000), d.meter, d.nowNs), 2_000, 0.2);
    }

    /**
     * Pacing ends once the writes are light enough for the daemon to stay under the bound at full
     * speed, with the lag low, and starts again with the next overload.
     */
    @Test
    void shouldStopPacingWhenTheWritesAreLightAndPaceAgainWithTheNextOverload() {
        Daemon d = new Daemon(131_072, 25_000, 25_000, 0.01, 0.9);
        PacingController c = new PacingController(new PacingConfig(5, 5_000), d.meter, d.nowNs);
        d.writeBlocksPerSecond = 8_000;
        Run first = run(d, c, 60);
        assertTrue(first.share("pacing") > 0.3, "paced: " + first.states);
        d.writeBlocksPerSecond = 1_000;
        run(d, c, 10);
        Run light = run(d, c, 60);
        assertEquals(Map.of("full_speed", light.ticks()), light.states, "light writes: full speed throughout");
        assertTrue(light.maxLagMs < 1_000, "lag " + light.maxLagMs + " ms");
        assertTrue(c.status().reason().contains("within --max-cpu 5%: full speed"), c.status().reason());
        d.writeBlocksPerSecond = 8_000;
        Run again = run(d, c, 60);
        assertTrue(again.share("pacing") > 0.3, "paced again: " + again.states);
        assertTrue(again.maxLagMs < 5_000, "lag " + again.maxLagMs + " ms");
    }
}
