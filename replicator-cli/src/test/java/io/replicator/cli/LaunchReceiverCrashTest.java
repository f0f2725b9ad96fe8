package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.admin.Json;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import io.replicator.source.admin.SourceAdmin;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver process killed with SIGKILL in the middle of a launch: the launch's {@code NAME.img.partial}
 * stays behind; the receiver started again deletes it as its admin endpoint starts, replication goes
 * on, and launching again builds the volume as it was at the checkpoint.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LaunchReceiverCrashTest {
    private static final long SIZE = 128L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldDeleteThePartialFileWhenTheReceiverKilledWhileLaunchingStartsAgain() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, SIZE, 11);
        String listen = "127.0.0.1:" + ProcessReplication.freePort();
        String admin = "127.0.0.1:" + ProcessReplication.freePort();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (DaemonProcess receiver = new DaemonProcess("target", dir.resolve("target.log"), List.of("target",
                "--listen", listen, "--data-dir", dir.resolve("data").toString(), "--admin", admin,
                "--insecure-plaintext"))) {
            receiver.start("admin endpoint on", 60_000);
            try (SourceDaemon source = SourceDaemon.start(SourceConfig.builder()
                    .target(new InetSocketAddress("127.0.0.1", Integer.parseInt(listen.split(":")[1])))
                    .volume(volume, "disk0").stateDir(dir.resolve("state")).id("web1")
                    .tracker(SourceConfig.Tracker.SCAN).scanIntervalMs(200).reconnectMs(50, 500)
                    .insecurePlaintext(true).build(), metrics);
                 AdminServer sourceAdmin = SourceAdmin.start(new InetSocketAddress("127.0.0.1", 0), source, metrics)) {
                String src = "127.0.0.1:" + sourceAdmin.address().getPort();
                source.sync().get(2, TimeUnit.MINUTES);
                byte[] atCheckpoint = Files.readAllBytes(volume);
                long id = checkpoint(src);
                scribble(volume, 300); // changes after the checkpoint: the launch restores them from the undo queue
                source.sync().get(2, TimeUnit.MINUTES);

                Path out = Files.createDirectories(dir.resolve("launched"));
                Path partial = out.resolve("disk0.img.partial");
                CompletableFuture<CliRun> launch = CompletableFuture.supplyAsync(() -> CliRun.run("launch", "--admin",
                        admin, "--source", "web1", "--checkpoint", Long.toString(id), "--out", out.toString()));
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                while (!Files.exists(partial) && !launch.isDone() && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                assertFalse(launch.isDone(), () -> "the launch ended before the kill: " + launch.join());
                receiver.kill9();
                CliRun cut = launch.get(1, TimeUnit.MINUTES);
                assertEquals(Main.EXIT_USAGE, cut.exit(), "the receiver went away: " + cut.out() + cut.err());
                assertTrue(Files.exists(partial), "the killed launch left its partial file");
                assertFalse(Files.exists(out.resolve("disk0.img")));

                receiver.start("admin endpoint on", 60_000);
                assertFalse(Files.exists(partial), "the receiver deletes it as it starts: " + receiver.logSinceStart());
                assertTrue(receiver.logSinceStart().contains("left by a launch that did not finish"),
                        receiver.logSinceStart());
                source.sync().get(2, TimeUnit.MINUTES); // replication goes on

                CliRun again = CliRun.run("launch", "--admin", admin, "--source", "web1", "--checkpoint",
                        Long.toString(id), "--out", out.toString(), "--json");
                assertEquals(0, again.exit(), again.out() + again.err());
                JsonNode answer = Json.MAPPER.readTree(again.out());
                assertArrayEquals(atCheckpoint, Files.readAllBytes(Path.of(answer.path("volumes").path(0).path("path")
                        .asText())), "the volume as it was at checkpoint " + id);
            }
        }
    }

    private static long checkpoint(String src) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            CliRun r = CliRun.run("checkpoint", "--admin", src, "--json");
            JsonNode answer = Json.MAPPER.readTree(r.out());
            if ("ok".equals(answer.path("result").asText()) && answer.path("launchable").asBoolean()) {
                return answer.path("id").asLong();
            }
            assertTrue(System.nanoTime() < deadline, "no launchable checkpoint within 2 minutes: " + r.out());
            Thread.sleep(200);
        }
    }

    /** {@code count} random 4 KiB writes at random offsets of {@code volume}. */
    private static void scribble(Path volume, int count) throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        byte[] block = new byte[4096];
        try (FileChannel channel = FileChannel.open(volume, StandardOpenOption.WRITE)) {
            for (int i = 0; i < count; i++) {
                random.nextBytes(block);
                channel.write(ByteBuffer.wrap(block), random.nextLong(SIZE / 4096) * 4096);
            }
            channel.force(true);
        }
    }
}
