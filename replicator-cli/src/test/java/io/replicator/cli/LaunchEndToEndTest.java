package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.admin.Json;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import io.replicator.source.admin.SourceAdmin;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import io.replicator.target.admin.TargetAdmin;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain, as an admin runs it: ext4 on a loop device replicated by a source daemon to a
 * journaling receiver, a {@link RecordWriter} process appending numbered, fsynced records to a file on
 * it; {@code replicator checkpoint --freeze} at T while writing goes on, then {@code replicator launch}
 * of T: {@code e2fsck -fn} finds the launched image clean, and the file in it holds every record whose
 * fsync returned before the freeze and none whose write began after it (the one record in flight when
 * the freeze came, written but not yet fsynced, may be either: the freeze itself flushes what was
 * written; the test logs it). Then {@code launch --checkpoint latest} after two more checkpoints, and,
 * the journal's clock moved past the retention, the first checkpoint refused as pruned. Root only
 * (loop devices, mount, fsfreeze); the assumption says why it skips.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LaunchEndToEndTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    @TempDir
    Path dir;

    @Test
    void shouldLaunchExactlyTheRecordsFsyncedBeforeTheFreezeWhileWritingGoesOn() throws Exception {
        String why = Shell.whyNoLoopDevices();
        assumeTrue(why == null, () -> "skipped: " + why);
        assumeTrue(Shell.onPath("debugfs"), "skipped: debugfs (e2fsprogs) is not installed");
        AtomicLong clockOffsetMs = new AtomicLong();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Path mount = dir.resolve("mnt");
        Process writer = null;
        try (LoopFs fs = new LoopFs()) {
            String device = fs.attach(dir.resolve("disk.img"), 64L << 20);
            fs.mkfsExt4(device);
            fs.mount(device, mount);
            TargetServer target = TargetServer.start(TargetConfig.builder().listen(LOOPBACK)
                    .dataDir(dir.resolve("data")).insecurePlaintext(true).retain(Duration.ofMinutes(10))
                    .journalClockMs(() -> System.currentTimeMillis() + clockOffsetMs.get()).build(), metrics);
            SourceDaemon source = null;
            try {
                source = SourceDaemon.start(SourceConfig.builder().target(target.localAddress())
                        .volume(Path.of(device), "root").stateDir(dir.resolve("state")).id("web1")
                        .tracker(SourceConfig.Tracker.SCAN).scanIntervalMs(200).reconnectMs(50, 500)
                        .insecurePlaintext(true).build(), metrics);
                try (AdminServer sourceAdmin = SourceAdmin.start(LOOPBACK, source, metrics);
                     AdminServer targetAdmin = TargetAdmin.start(LOOPBACK, null, target, metrics)) {
                    String src = "127.0.0.1:" + sourceAdmin.address().getPort();
                    String tgt = "127.0.0.1:" + targetAdmin.address().getPort();
                    source.sync().get(2, TimeUnit.MINUTES);
                    writer = startWriter(mount.resolve("records"), dir.resolve("writer.log"));
                    awaitRecords(dir.resolve("writer.log"), 50);

                    JsonNode first = checkpoint(src, mount, "first");
                    awaitRecords(dir.resolve("writer.log"), lastRecord(dir.resolve("writer.log")) + 50);
                    JsonNode launched = launch(tgt, first.path("id").asText(), dir.resolve("launch-first"));
                    assertEquals(first.path("id").asLong(), launched.path("checkpoint").asLong());
                    checkImage(launched, first);

                    checkpoint(src, mount, "second");
                    awaitRecords(dir.resolve("writer.log"), lastRecord(dir.resolve("writer.log")) + 30);
                    JsonNode third = checkpoint(src, mount, "third");
                    awaitRecords(dir.resolve("writer.log"), lastRecord(dir.resolve("writer.log")) + 30);
                    JsonNode latest = launch(tgt, "latest", dir.resolve("launch-latest"));
                    assertEquals(third.path("id").asLong(), latest.path("checkpoint").asLong(), latest::toString);
                    checkImage(latest, third);

                    clockOffsetMs.set(TimeUnit.MINUTES.toMillis(30)); // the first three are now past --retain
                    awaitRecords(dir.resolve("writer.log"), lastRecord(dir.resolve("writer.log")) + 30);
                    JsonNode fourth = checkpoint(src, mount, "fourth");
                    awaitPruned(tgt, first.path("id").asLong());
                    Path refusedOut = Files.createDirectories(dir.resolve("launch-pruned"));
                    CliRun refused = CliRun.run("launch", "--admin", tgt, "--source", "web1", "--checkpoint",
                            first.path("id").asText(), "--out", refusedOut.toString());
                    assertEquals(Main.EXIT_FAILED, refused.exit(), refused.out() + refused.err());
                    assertTrue(refused.out().contains("checkpoint " + first.path("id").asLong() + " of web1 was pruned "
                            + "(history kept: since "), refused.out());
                    assertTrue(refused.out().contains("(checkpoint " + fourth.path("id").asLong() + "))"),
                            refused.out());
                    CliRun listed = CliRun.run("checkpoints", "--admin", tgt, "--source", "web1");
                    assertEquals(0, listed.exit(), listed.err());
                    assertTrue(listed.out().contains("pruned") && listed.out().contains("launchable"), listed.out());
                    System.out.println(listed.out());
                }
            } finally {
                if (writer != null) {
                    writer.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
                if (source != null) {
                    source.close();
                }
                target.close();
            }
        }
    }

    private static Process startWriter(Path file, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx64m", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                RecordWriter.class.getName(), file.toString(), log.toString()));
        Files.createFile(log);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.resolveSibling("writer.out").toFile()).start();
    }

    /** {@code checkpoint --admin SRC --freeze MOUNT --label LABEL --json}, retried while the receiver is not ready. */
    private static JsonNode checkpoint(String src, Path mount, String label) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            CliRun r = CliRun.run("checkpoint", "--admin", src, "--freeze", mount.toString(), "--label", label,
                    "--json");
            JsonNode answer = Json.MAPPER.readTree(r.out());
            if ("ok".equals(answer.path("result").asText()) && answer.path("launchable").asBoolean()) {
                return answer;
            }
            // Refused until the receiver has the source's initial copy and journals: nothing was frozen.
            assertTrue(System.nanoTime() < deadline, "no launchable checkpoint within 2 minutes: " + r.out() + r.err());
            Thread.sleep(200);
        }
    }

    private static JsonNode launch(String tgt, String checkpoint, Path out) throws Exception {
        Files.createDirectories(out);
        CliRun r = CliRun.run("launch", "--admin", tgt, "--source", "web1", "--checkpoint", checkpoint, "--out",
                out.toString(), "--json");
        assertEquals(0, r.exit(), r.out() + r.err());
        CliRun printed = CliRun.run("checkpoints", "--admin", tgt, "--source", "web1", "--json");
        assertEquals(0, printed.exit(), printed.err());
        return Json.MAPPER.readTree(r.out());
    }

    /**
     * The launched image passes {@code e2fsck -fn}, and its file holds records 1 to K whole, where every
     * record whose fsync returned before the freeze is at most K, and every record up to K began before
     * the freeze was complete.
     */
    private void checkImage(JsonNode launched, JsonNode checkpoint) throws Exception {
        Path image = Path.of(launched.path("volumes").path(0).path("path").asText());
        String fsck = Shell.run("e2fsck", "-fn", image.toString());
        assertTrue(fsck.contains("clean") || fsck.contains("files"), fsck);
        Process cat = new ProcessBuilder("debugfs", "-R", "cat /records", image.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String content = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, cat.waitFor());
        assertEquals(0, content.length() % RecordWriter.RECORD_BYTES, "whole records only");
        long k = content.length() / RecordWriter.RECORD_BYTES;
        for (long n = 1; n <= k; n++) {
            int at = (int) ((n - 1) * RecordWriter.RECORD_BYTES);
            assertEquals(RecordWriter.record(n), content.substring(at, at + RecordWriter.RECORD_BYTES), "record " + n);
        }
        long frozenMs = Instant.parse(checkpoint.path("time").asText()).toEpochMilli();
        Map<Long, long[]> log = readLog(dir.resolve("writer.log"));
        long returnedBefore = 0;
        for (Map.Entry<Long, long[]> e : log.entrySet()) {
            if (e.getValue()[1] < frozenMs) {
                returnedBefore = Math.max(returnedBefore, e.getKey());
            }
        }
        assertTrue(k >= returnedBefore, String.format("no fewer: record %d's fsync returned before the freeze at %d "
                + "but the launched file ends at record %d", returnedBefore, frozenMs, k));
        assertTrue(log.containsKey(k) || k == 0, "record " + k + " was logged");
        assertTrue(k == 0 || log.get(k)[0] <= frozenMs, String.format("no more: record %d began at %d, after the "
                + "freeze at %d", k, k == 0 ? 0 : log.get(k)[0], frozenMs));
        System.out.printf("checkpoint %d (%s, frozen %d ms): the launched file holds records 1 to %d; fsync returned "
                + "before the freeze for 1 to %d%s%n", checkpoint.path("id").asLong(), checkpoint.path("time").asText(),
                checkpoint.path("freeze_ms").asLong(), k, returnedBefore, k > returnedBefore
                        ? "; record " + k + " was in flight (written, its fsync returned during or after the freeze)"
                        : "");
    }

    private static Map<Long, long[]> readLog(Path log) throws Exception {
        Map<Long, long[]> records = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            String[] f = line.trim().split(" ");
            if (f.length == 3) {
                records.put(Long.parseLong(f[0]), new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return records;
    }

    private static long lastRecord(Path log) throws Exception {
        return readLog(log).keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static void awaitRecords(Path log, long count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (lastRecord(log) < count) {
            assertTrue(System.nanoTime() < deadline, "the writer did not reach record " + count + ": "
                    + Files.readString(log.resolveSibling("writer.out")));
            Thread.sleep(50);
        }
    }

    private static void awaitPruned(String tgt, long id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            CliRun r = CliRun.run("checkpoints", "--admin", tgt, "--source", "web1", "--json");
            for (JsonNode c : Json.MAPPER.readTree(r.out()).path("checkpoints")) {
                if (c.path("id").asLong() == id && "pruned".equals(c.path("state").asText())) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "checkpoint " + id + " not pruned within a minute: " + r.out());
            Thread.sleep(200);
        }
    }
}
