package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.protocol.text.HostPort;
import io.replicator.source.SourceState;
import io.replicator.source.SourceStatus;
import io.replicator.source.VolumeStatus;
import io.replicator.source.admin.SourceAdmin;
import io.replicator.target.TargetStatus;
import io.replicator.target.admin.TargetAdmin;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pause, resume and the forecast end to end: a real receiver and source (scan tracker) on loopback,
 * driven through the admin endpoints by the commands an admin types. A sync, verification or cutover
 * asked while paused is refused at once.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FlowEndToEndTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    @Test
    void shouldTrackButSendNothingWhilePausedAndSendOnlyWhatChangedOnResume() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 8L << 20, 7);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Replication r = new Replication(dir)) {
            r.plaintext = true;
            r.startTarget();
            r.startSource(volume, "disk0");
            r.source.sync().get(60, TimeUnit.SECONDS);
            try (AdminServer source = SourceAdmin.start(LOOPBACK, r.source, metrics);
                 AdminServer target = TargetAdmin.start(LOOPBACK, null, r.target, metrics)) {
                String sourceAdmin = HostPort.format(source.address());
                String targetAdmin = HostPort.format(target.address());
                CliRun refused = CliRun.run("pause", "--admin", targetAdmin);
                CliRun.assertOneLineExit2(refused, "is a receiver's admin endpoint");

                CliRun paused = CliRun.run("pause", "--admin", sourceAdmin);
                assertEquals(0, paused.exit(), paused.err());
                assertTrue(paused.out().startsWith("paused"), paused.out());
                long sentBefore = r.source.status().volumes().get(0).sentBytes();
                long receivedBefore = received(r.target.status());

                int changed = writeRandomBlocks(volume, 64, 11);
                SourceStatus whilePaused = await(r, s -> s.volumes().get(0).backlogBytes() >= 64L * BLOCK, 60);
                assertEquals(SourceState.PAUSED, whilePaused.state());
                assertTrue(whilePaused.flow().paused());
                CliRun status = CliRun.run("status", "--admin", sourceAdmin);
                assertTrue(status.out().contains("state paused") && status.out().contains("PAUSED"), status.out());
                for (String operation : new String[] {"sync", "verify"}) {
                    CliRun asked = CliRun.run(operation, "--admin", sourceAdmin, "--timeout", "10m", "--json");
                    assertEquals(Main.EXIT_FAILED, asked.exit(), asked.out() + asked.err());
                    assertTrue(asked.out().contains("\"result\":\"refused\"") && asked.out().contains(
                            "cannot run now: the source is paused: replicator resume first"), asked.out());
                }
                CompletableFuture<?> cutover = r.source.cutover(List.of(), 600_000);
                assertTrue(cutover.isCompletedExceptionally(), "refused at once, not left to wait out its deadline");
                assertTrue(assertThrows(ExecutionException.class, cutover::get).getCause().getMessage()
                        .endsWith("the source is paused: replicator resume first"));
                Thread.sleep(500);
                assertEquals(sentBefore, r.source.status().volumes().get(0).sentBytes(), "nothing sent while paused");
                assertEquals(receivedBefore, received(r.target.status()), "nothing received while paused");

                CliRun resumed = CliRun.run("resume", "--admin", sourceAdmin);
                assertEquals(0, resumed.exit(), resumed.err());
                r.source.sync().get(60, TimeUnit.SECONDS);
                VolumeStatus after = r.source.status().volumes().get(0);
                long sent = after.sentBytes() - sentBefore;
                assertTrue(sent >= changed * 9L / 10 && sent <= changed * 2L,
                        "resume sends what changed (" + changed + " bytes of random data), not the volume: " + sent);
                assertEquals(SourceState.CONTINUOUS, r.source.status().state());
                Replication.assertSameBytes(volume, r.targetImage("disk0"));

                CliRun fleet = CliRun.run("status", "--admin", targetAdmin);
                assertEquals(0, fleet.exit(), fleet.err());
                assertTrue(fleet.out().startsWith("receiver: 1 sources") && fleet.out().contains("src")
                        && fleet.out().contains("connected"), fleet.out());
            }
        }
    }

    @Test
    void shouldTurnNotConvergingWhenWritesOutpaceAThrottledLinkAndContinuousWhenTheyStop() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 64L << 20, 5);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Replication r = new Replication(dir)) {
            r.plaintext = true;
            r.startTarget();
            r.startSource(volume, "disk0");
            r.source.sync().get(60, TimeUnit.SECONDS);
            try (AdminServer source = SourceAdmin.start(LOOPBACK, r.source, metrics)) {
                CliRun throttled = CliRun.run("throttle", "--admin", HostPort.format(source.address()), "1MB/s");
                assertEquals(0, throttled.exit(), throttled.err());
                assertTrue(throttled.out().contains("1.0 MB/s (throttle)"), throttled.out());
            }
            long startNs = System.nanoTime();
            SourceStatus behind;
            try (PacedWriter writer = new PacedWriter(volume, 1_500_000, 3)) {
                behind = await(r, s -> s.state() == SourceState.NOT_CONVERGING, 90);
                writer.check();
            }
            long enteredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            VolumeStatus v = behind.volumes().get(0);
            assertFalse(v.converging());
            assertTrue(v.forecast().startsWith("not converging: writes ") && v.forecast().contains(", sends "),
                    v.forecast());
            assertTrue(v.writeBytesPerSecond() > v.sendBytesPerSecond(), v.toString());
            long stopNs = System.nanoTime();
            await(r, s -> s.state() == SourceState.CONTINUOUS, 120);
            System.out.printf("not_converging after %d ms of writes at 1.5 MB/s over a 1 MB/s link (%s); continuous "
                    + "%d ms after they stopped%n", enteredMs, v.forecast(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopNs));
            r.source.throttle(0).get(10, TimeUnit.SECONDS);
            r.source.sync().get(60, TimeUnit.SECONDS);
            Replication.assertSameBytes(volume, r.targetImage("disk0"));
        }
    }

    private static long received(TargetStatus status) {
        return status.sources().get(0).volumes().get(0).receivedBytes();
    }

    /** Polls the source's status until {@code done} holds; fails naming the last status after {@code seconds}. */
    static SourceStatus await(Replication r, Predicate<SourceStatus> done, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        SourceStatus s = r.source.status();
        while (!done.test(s)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + seconds + " s; last status " + s);
            }
            Thread.sleep(100);
            s = r.source.status();
        }
        return s;
    }

    /** Writes {@code count} blocks of random bytes at distinct random offsets; returns the bytes written. */
    static int writeRandomBlocks(Path volume, int count, long seed) throws Exception {
        Random random = new Random(seed);
        try (FileChannel ch = FileChannel.open(volume, StandardOpenOption.WRITE)) {
            long blocks = ch.size() / BLOCK;
            java.util.Set<Long> used = new java.util.HashSet<>();
            while (used.size() < count) {
                long b = (random.nextLong() & Long.MAX_VALUE) % blocks;
                if (used.add(b)) {
                    byte[] bytes = new byte[BLOCK];
                    random.nextBytes(bytes);
                    ch.write(ByteBuffer.wrap(bytes), b * BLOCK);
                }
            }
        }
        return count * BLOCK;
    }

    /** Writes random blocks at random offsets at about {@code bytesPerSecond} until closed. */
    static final class PacedWriter implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        private volatile Throwable failure;

        PacedWriter(Path volume, long bytesPerSecond, long seed) {
            thread = new Thread(() -> {
                Random random = new Random(seed);
                byte[] bytes = new byte[BLOCK];
                long startNs = System.nanoTime();
                long written = 0;
                try (FileChannel ch = FileChannel.open(volume, StandardOpenOption.WRITE)) {
                    long blocks = ch.size() / BLOCK;
                    while (running.get()) {
                        long dueBytes = (System.nanoTime() - startNs) * bytesPerSecond / 1_000_000_000L;
                        if (written >= dueBytes) {
                            Thread.sleep(5);
                            continue;
                        }
                        random.nextBytes(bytes);
                        ch.write(ByteBuffer.wrap(bytes), (random.nextLong() & Long.MAX_VALUE) % blocks * BLOCK);
                        written += BLOCK;
                    }
                } catch (Throwable t) {
                    failure = t;
                }
            }, "paced-writer");
            thread.start();
        }

        void check() {
            if (failure != null) {
                throw new AssertionError("writer failed", failure);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
            check();
        }
    }
}
