package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.protocol.text.HostPort;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import io.replicator.target.TargetStatus;
import io.replicator.target.admin.TargetAdmin;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver whose total rate is the bottleneck shares it: four sources copy incompressible volumes
 * at once through a receiver limited to 16 MB/s ({@code replicator throttle --admin RECEIVER}, live), and over the time all four are busy each receives,
 * counted in bytes, at least half of its quarter, and together no more than the limit (within 5% and a
 * read of 1 MiB per source).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FairShareTest {
    private static final int SOURCES = 4;
    private static final long VOLUME_BYTES = 16L << 20;
    private static final long LIMIT_BYTES_PER_SECOND = 16_000_000;

    @TempDir
    Path dir;

    @Test
    void shouldGiveEachOfFourBusySourcesAtLeastHalfItsShareOfAThrottledReceiver() throws Exception {
        TargetConfig config = TargetConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .dataDir(dir.resolve("data")).insecurePlaintext(true).build();
        List<SourceDaemon> sources = new ArrayList<>();
        try (TargetServer target = TargetServer.start(config, new SimpleMeterRegistry());
             AdminServer admin = TargetAdmin.start(new InetSocketAddress("127.0.0.1", 0), null, target,
                     new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            CliRun throttled = CliRun.run("throttle", "--admin", HostPort.format(admin.address()), "16MB/s");
            assertEquals(0, throttled.exit(), throttled.err());
            assertTrue(throttled.out().contains("receiver limit over all sources now 16.0 MB/s"), throttled.out());
            assertEquals(LIMIT_BYTES_PER_SECOND, target.status().maxRateBytesPerSecond());
            List<Path> volumes = new ArrayList<>();
            for (int i = 0; i < SOURCES; i++) {
                byte[] bytes = new byte[(int) VOLUME_BYTES];
                new Random(i).nextBytes(bytes);
                volumes.add(Files.write(dir.resolve("vol-" + i + ".img"), bytes));
            }
            List<CompletableFuture<SourceDaemon>> starting = new ArrayList<>();
            for (int i = 0; i < SOURCES; i++) {
                SourceConfig sc = SourceConfig.builder().target(target.localAddress()).volume(volumes.get(i), "disk0")
                        .stateDir(dir.resolve("state-" + i)).id("src" + i).tracker(SourceConfig.Tracker.SCAN)
                        .scanIntervalMs(60_000).insecurePlaintext(true).build();
                starting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return SourceDaemon.start(sc, new SimpleMeterRegistry());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<SourceDaemon> f : starting) {
                sources.add(f.get(60, TimeUnit.SECONDS));
            }
            long[] first = null;
            long[] last = null;
            long firstNs = 0;
            long lastNs = 0;
            Long allBusySinceNs = null;
            while (true) {
                long[] now = received(target.status());
                long nowNs = System.nanoTime();
                boolean allBusy = Arrays.stream(now).allMatch(b -> b > 0 && b < VOLUME_BYTES * 9 / 10);
                if (allBusy && allBusySinceNs == null) {
                    allBusySinceNs = nowNs;
                }
                // The first half second holds each session's first burst: the window starts after it.
                boolean settled = allBusySinceNs != null && nowNs - allBusySinceNs >= TimeUnit.MILLISECONDS.toNanos(500);
                if (allBusy && !settled) {
                    Thread.sleep(100);
                    continue;
                }
                if (allBusy && first == null) {
                    first = now;
                    firstNs = nowNs;
                } else if (allBusy) {
                    last = now;
                    lastNs = nowNs;
                } else if (first != null) {
                    break;
                }
                Thread.sleep(100);
            }
            assertTrue(last != null, "a window in which all four sources were busy");
            long total = 0;
            long[] got = new long[SOURCES];
            for (int i = 0; i < SOURCES; i++) {
                got[i] = last[i] - first[i];
                total += got[i];
            }
            double seconds = (lastNs - firstNs) / 1e9;
            System.out.printf("over %.1f s with all %d busy: %s bytes each, %.1f MB/s together (limit %.1f MB/s)%n",
                    seconds, SOURCES, Arrays.toString(got), total / seconds / 1e6, LIMIT_BYTES_PER_SECOND / 1e6);
            for (int i = 0; i < SOURCES; i++) {
                assertTrue(got[i] >= total / SOURCES / 2, "source " + i + " got " + got[i] + " of " + total
                        + " bytes: less than half of its quarter");
            }
            assertTrue(total <= LIMIT_BYTES_PER_SECOND * seconds * 1.05 + SOURCES * (1L << 20),
                    "the receiver's limit holds (and is the bottleneck): " + total + " bytes in " + seconds + " s");
            for (SourceDaemon s : sources) {
                s.sync(120_000).get(120, TimeUnit.SECONDS);
            }
            for (int i = 0; i < SOURCES; i++) {
                Replication.assertSameBytes(volumes.get(i), dir.resolve("data").resolve("src" + i).resolve("disk0.img"));
            }
        } finally {
            for (SourceDaemon s : sources) {
                s.close();
            }
        }
    }

    @Test
    void shouldLiftTheReceiversLimitLiveForASourceDeepInDebtUnderTheOldOne() throws Exception {
        TargetConfig config = TargetConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .dataDir(dir.resolve("data")).insecurePlaintext(true).maxRateBytesPerSecond(1).build();
        try (TargetServer target = TargetServer.start(config, new SimpleMeterRegistry());
             AdminServer admin = TargetAdmin.start(new InetSocketAddress("127.0.0.1", 0), null, target,
                     new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
            byte[] bytes = new byte[8 << 20];
            new Random(9).nextBytes(bytes);
            Path volume = Files.write(dir.resolve("vol.img"), bytes);
            SourceConfig sc = SourceConfig.builder().target(target.localAddress()).volume(volume, "disk0")
                    .stateDir(dir.resolve("state")).id("src0").tracker(SourceConfig.Tracker.SCAN)
                    .scanIntervalMs(60_000).insecurePlaintext(true).build();
            try (SourceDaemon source = SourceDaemon.start(sc, new SimpleMeterRegistry())) {
                Thread.sleep(1_000);
                long stuck = received(target.status())[0];
                assertTrue(stuck < 4L << 20, "at 1 byte/s only the first burst and read got through: " + stuck);
                CliRun off = CliRun.run("throttle", "--admin", HostPort.format(admin.address()), "off");
                assertEquals(0, off.exit(), off.err());
                assertTrue(off.out().contains("now none"), off.out());
                source.sync(60_000).get(60, TimeUnit.SECONDS);
                Replication.assertSameBytes(volume, dir.resolve("data").resolve("src0").resolve("disk0.img"));
            }
        }
    }

    /** Bytes received of each source's volume, in source order. */
    private static long[] received(TargetStatus status) {
        long[] r = new long[SOURCES];
        for (TargetStatus.SourceStatus s : status.sources()) {
            r[Integer.parseInt(s.id().substring(3))] = s.volumes().isEmpty() ? 0 : s.volumes().get(0).receivedBytes();
        }
        return r;
    }
}
