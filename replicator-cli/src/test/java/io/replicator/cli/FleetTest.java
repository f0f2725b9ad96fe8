package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replicator.admin.Json;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many sources, one receiver: 64 sources in this JVM replicate at once to a receiver running as its
 * own process with the JVM limits of {@code ./replicator} lowered below the sum of the volumes, so
 * that a receiver whose memory followed the volumes could not finish; its peak resident memory is
 * read from {@code /proc}. The fleet view lists every source, and after the receiver is killed and
 * started again still lists them, disconnected, with their durable bytes.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class FleetTest {
    static final int SOURCES = 64;
    static final long VOLUME_BYTES = 8L << 20;
    /** Heap and direct memory of the receiver together: less than the 512 MiB of all volumes. */
    static final List<String> RECEIVER_JVM = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx128m",
            "-XX:MaxDirectMemorySize=192m");

    @TempDir
    Path dir;

    @Test
    void shouldReplicate64SourcesAtOnceWithReceiverMemoryBoundedBelowTheirVolumes() throws Exception {
        int port = ProcessReplication.freePort();
        String admin = "127.0.0.1:" + ProcessReplication.freePort();
        Path data = dir.resolve("data");
        List<String> args = List.of("target", "--listen", "127.0.0.1:" + port, "--data-dir", data.toString(),
                "--admin", admin, "--insecure-plaintext");
        List<Path> volumes = new ArrayList<>();
        for (int i = 0; i < SOURCES; i++) {
            Path v = dir.resolve("vol-" + i + ".img");
            MixedImage.write(v, VOLUME_BYTES, i);
            volumes.add(v);
        }
        List<SourceDaemon> sources = new ArrayList<>();
        ExecutorService starter = Executors.newFixedThreadPool(8);
        try (DaemonProcess receiver = new DaemonProcess("target", dir.resolve("target.log"), RECEIVER_JVM, args)) {
            receiver.start("admin endpoint on", 60_000);
            List<Future<SourceDaemon>> started = new ArrayList<>();
            for (int i = 0; i < SOURCES; i++) {
                SourceConfig config = SourceConfig.builder().target(new InetSocketAddress("127.0.0.1", port))
                        .volume(volumes.get(i), "disk0").stateDir(dir.resolve("state-" + i)).id(id(i))
                        .tracker(SourceConfig.Tracker.SCAN).scanIntervalMs(60_000).reconnectMs(50, 1_000)
                        .insecurePlaintext(true).build();
                started.add(starter.submit(() -> SourceDaemon.start(config, new SimpleMeterRegistry())));
            }
            for (Future<SourceDaemon> f : started) {
                sources.add(f.get(120, TimeUnit.SECONDS));
            }
            long startNs = System.nanoTime();
            List<CompletableFuture<?>> synced = new ArrayList<>();
            for (SourceDaemon s : sources) {
                synced.add(s.sync(300_000));
            }
            CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
            long syncMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            for (int i = 0; i < SOURCES; i++) {
                Replication.assertSameBytes(volumes.get(i), data.resolve(id(i)).resolve("disk0.img"));
            }
            long peakBytes = peakResidentBytes(receiver.pid());
            System.out.printf("%d sources of %d MiB: all durable and equal in %d ms; receiver peak RSS %d MiB "
                    + "(JVM %s)%n", SOURCES, VOLUME_BYTES >> 20, syncMs, peakBytes >> 20, RECEIVER_JVM);
            assertTrue(peakBytes < SOURCES * VOLUME_BYTES, "the receiver's peak resident memory, " + (peakBytes >> 20)
                    + " MiB, is below the sum of the volumes");

            JsonNode fleet = fleet(admin);
            assertEquals("receiver", fleet.path("role").asText());
            assertEquals(SOURCES, fleet.path("sources").size(), fleet::toString);
            for (JsonNode s : fleet.path("sources")) {
                assertEquals("connected", s.path("state").asText(), s::toString);
                assertTrue(s.path("volumes").get(0).path("durable_bytes").asLong() >= VOLUME_BYTES, s::toString);
            }

            for (SourceDaemon s : sources) {
                s.close();
            }
            sources.clear();
            awaitAllDisconnected(admin);
            receiver.kill9();
            receiver.start("admin endpoint on", 60_000);
            JsonNode after = fleet(admin);
            assertEquals(SOURCES, after.path("sources").size(), "every source known before the restart: " + after);
            for (JsonNode s : after.path("sources")) {
                assertEquals("disconnected", s.path("state").asText(), s::toString);
                assertTrue(s.path("last_seen_ms").asLong() > 0, s::toString);
                JsonNode v = s.path("volumes").get(0);
                assertTrue(v.path("durable_bytes").asLong() >= VOLUME_BYTES, "durable bytes survive: " + s);
                assertEquals(0, v.path("receive_bytes_per_second").asLong(), "rates restart: " + s);
            }
            CliRun table = CliRun.run("status", "--admin", admin);
            assertEquals(0, table.exit(), table.err());
            assertTrue(table.out().startsWith("receiver: 64 sources") && table.out().contains("disconnected"),
                    table.out());
        } finally {
            starter.shutdownNow();
            for (SourceDaemon s : sources) {
                s.close();
            }
        }
    }

    static String id(int i) {
        return String.format("web%02d", i);
    }

    static JsonNode fleet(String admin) {
        CliRun r = CliRun.run("status", "--admin", admin, "--json");
        assertEquals(0, r.exit(), r.err());
        try {
            return Json.MAPPER.readTree(r.out());
        } catch (java.io.IOException e) {
            throw new AssertionError(r.out(), e);
        }
    }

    private static void awaitAllDisconnected(String admin) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            JsonNode f = fleet(admin);
            boolean all = true;
            for (JsonNode s : f.path("sources")) {
                all &= "disconnected".equals(s.path("state").asText());
            }
            if (all) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("sources still connected 60 s after they stopped: " + f);
            }
            Thread.sleep(200);
        }
    }

    /** VmHWM of process {@code pid}: the most memory it ever held resident. */
    static long peakResidentBytes(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
            }
        }
        throw new AssertionError("no VmHWM in /proc/" + pid + "/status");
    }
}
