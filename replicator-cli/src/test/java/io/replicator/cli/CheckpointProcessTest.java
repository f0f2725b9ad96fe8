package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's freeze never outlives it, with real processes: a source daemon (scan tracker) and a
 * receiver that keeps history, an ext4 file system on a loop device frozen through the guard. The
 * source also replicates a 256 MiB sparse volume, so that the capture (under the scan tracker a read of
 * every volume while frozen) lasts long enough for the test to act while frozen: SIGKILL of the
 * daemon (its guard thaws at once; the restarted daemon numbers its next checkpoint higher) and
 * SIGSTOP (the guard's own deadline, {@code max_freeze_ms}, thaws; the checkpoint fails once the
 * daemon runs again). Root only.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CheckpointProcessTest {
    private static final long START_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    private final LoopFs fs = new LoopFs();
    private Path mount;
    private DaemonProcess target;
    private DaemonProcess source;
    private String sourceAdmin;
    private AdminClient client;

    @BeforeEach
    void start() throws Exception {
        FreezeRig.assumeFreezable();
        mount = dir.resolve("mnt");
        String device = fs.attach(dir.resolve("disk.img"), 64L << 20);
        fs.mkfsExt4(device);
        fs.mount(device, mount);
        Path big = dir.resolve("big.img");
        try (RandomAccessFile raf = new RandomAccessFile(big.toFile(), "rw")) {
            raf.setLength(256L << 20);
        }
        String targetAddress = "127.0.0.1:" + ProcessReplication.freePort();
        target = new DaemonProcess("target", dir.resolve("target.log"), List.of("target", "--listen", targetAddress,
                "--data-dir", dir.resolve("data").toString(), "--insecure-plaintext"));
        target.start("target receiver listening on", START_TIMEOUT_MS);
        int adminPort = ProcessReplication.freePort();
        sourceAdmin = "127.0.0.1:" + adminPort;
        client = new AdminClient(new InetSocketAddress("127.0.0.1", adminPort), null);
        source = new DaemonProcess("source", dir.resolve("source.log"), List.of("source", "--target", targetAddress,
                "--volume", device + "=root", "--volume", big + "=big", "--state-dir", dir.resolve("state").toString(),
                "--id", "web1", "--admin", sourceAdmin, "--tracker", "scan", "--scan-interval", "1s",
                "--freeze", mount.toString(), "--insecure-plaintext"));
        source.start("admin endpoint on", START_TIMEOUT_MS);
        awaitInSync();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (source != null) {
                source.close();
            }
            if (target != null) {
                target.close();
            }
        } finally {
            fs.close();
        }
    }

    private void awaitInSync() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            JsonNode s = client.get("/status", 10_000);
            boolean synced = s.path("connected").asBoolean() && !s.path("rescan").path("running").asBoolean();
            for (JsonNode v : s.path("volumes")) {
                synced &= ProcessReplication.inSync(v);
            }
            if (synced) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, () -> "not in sync within 120 s: " + s + "\n" + logs());
            Thread.sleep(100);
        }
    }

    /** Asks for a checkpoint in the background; returns once the source's status says the mount is frozen. */
    private CompletableFuture<JsonNode> frozenCheckpoint(long maxFreezeMs) throws Exception {
        CompletableFuture<JsonNode> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return client.post("/checkpoint", Map.of("max_freeze_ms", maxFreezeMs, "label", "held"), 120_000);
            } catch (java.io.IOException e) {
                return Json.MAPPER.createObjectNode().put("result", "no answer").put("reason", e.getMessage());
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!client.get("/status", 10_000).path("frozen").toString().contains(mount.toString())) {
            assertTrue(System.nanoTime() < deadline && !answer.isDone(), () -> "never seen frozen: "
                    + answer.getNow(null) + "\n" + logs());
            Thread.sleep(5);
        }
        return answer;
    }

    private String logs() {
        StringBuilder b = new StringBuilder();
        for (String name : new String[] {"target.log", "source.log"}) {
            try {
                b.append("----- ").append(name).append(" -----\n")
                        .append(java.nio.file.Files.readString(dir.resolve(name)));
            } catch (java.io.IOException e) {
                b.append("(cannot read ").append(name).append(")\n");
            }
        }
        return b.toString();
    }

    private JsonNode checkpoint() throws Exception {
        CliRun r = CliRun.run("checkpoint", "--admin", sourceAdmin, "--label", "after", "--json");
        JsonNode answer = Json.MAPPER.readTree(r.out());
        assertEquals(0, r.exit(), () -> r.out() + r.err() + "\n" + logs());
        return answer;
    }

    @Test
    void shouldThawWhenTheDaemonIsKilledWhileFrozenAndNumberTheNextCheckpointHigherAfterARestart() throws Exception {
        CompletableFuture<JsonNode> answer = frozenCheckpoint(60_000);
        source.kill9();
        LoopFs.assertWritable(mount);
        assertEquals("no answer", answer.get(60, TimeUnit.SECONDS).path("result").asText());
        source.start("admin endpoint on", START_TIMEOUT_MS);
        awaitInSync();
        JsonNode next = checkpoint();
        assertEquals("ok", next.path("result").asText(), next::toString);
        assertEquals(2, next.path("id").asLong(), () -> "the killed one took 1: " + next);
        assertTrue(next.path("launchable").asBoolean(), next::toString);
        LoopFs.assertWritable(mount);
    }

    @Test
    void shouldThawAtTheFreezeDeadlineWhenTheDaemonHangsWhileFrozen() throws Exception {
        CompletableFuture<JsonNode> answer = frozenCheckpoint(2_000);
        Shell.run("kill", "-STOP", String.valueOf(source.pid()));
        try {
            LoopFs.assertWritable(mount);
        } finally {
            Shell.run("kill", "-CONT", String.valueOf(source.pid()));
        }
        JsonNode failed = answer.get(60, TimeUnit.SECONDS);
        assertEquals("failed", failed.path("result").asText(), failed::toString);
        assertTrue(failed.path("reason").asText().contains("no checkpoint was recorded"), failed::toString);
        JsonNode status = client.get("/status", 10_000);
        assertEquals("failed", status.path("checkpoint").path("result").asText(), status::toString);
        JsonNode next = checkpoint();
        assertEquals("ok", next.path("result").asText(), next::toString);
        LoopFs.assertWritable(mount);
    }
}
