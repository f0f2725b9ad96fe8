package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wave's cutover of one server, seen from its source daemon (a real process freezing a real ext4
 * file system on a loop device, the receiver a real process): prepared and held frozen, then
 * committed (sealed on the receiver, thawed or kept frozen until {@code thaw} or its maximum),
 * aborted, left to its deadline, or its daemon killed while held; two cutovers at once; and the
 * source after its cutover, restarted too: {@code cut_over}, the writes since counted, nothing more
 * written to the receiver's image.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HeldCutoverTest {
    private static final String WAVE = "wave-20261207T101500Z-0a1b";

    @TempDir
    Path dir;

    @BeforeEach
    void needsLoopDevices() {
        FreezeRig.assumeFreezable();
    }

    /** The source in sync, then its cutover of {@link #WAVE} prepared with {@code timeoutMs}: verified and held frozen. */
    private static JsonNode prepared(FreezeRig rig, long timeoutMs) throws Exception {
        rig.startSource();
        rig.awaitInSync();
        JsonNode held = rig.client.post("/cutover/prepare", Map.of("wave_id", WAVE, "freeze",
                List.of(rig.mount.toString()), "timeout_ms", timeoutMs), 60_000);
        assertEquals("verified", held.path("result").asText(), () -> held + "\n" + rig.logs());
        assertEquals("frozen", held.path("file_systems").asText(), held::toString);
        assertEquals("web1", held.path("source").asText(), held::toString);
        assertTrue(rig.isFrozen(), "held frozen until the commit");
        return held;
    }

    private static Map<String, Object> commit(String after, long maxFrozenMs) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("wave_id", WAVE);
        body.put("report_id", WAVE);
        body.put("report_json", Map.of("report_schema", 1, "wave_id", WAVE, "result", "ok",
                "servers", List.of(Map.of("source", "web1"))));
        body.put("report_markdown", "# Cutover " + WAVE + "\n");
        body.put("after", after);
        body.put("max_frozen_ms", maxFrozenMs);
        return body;
    }

    private static Path seal(FreezeRig rig) {
        return rig.dir.resolve("data").resolve("web1").resolve("cutover-seal.json");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void shouldSealOnTheCommitThenCountWritesAndNeverResumeAcrossARestart() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            prepared(rig, 60_000);
            JsonNode c = rig.client.post("/cutover/commit", commit("thaw", 60_000), 60_000);
            assertEquals("ok", c.path("result").asText(), () -> c + "\n" + rig.logs());
            assertTrue(c.path("fenced").asBoolean(), c::toString);
            assertEquals("thawed", c.path("file_systems").asText(), c::toString);
            assertTrue(c.path("thawed_utc").isTextual(), c::toString);
            assertFalse(rig.isFrozen());
            assertTrue(Files.exists(seal(rig)), "the receiver sealed the source");
            assertTrue(Files.exists(rig.dir.resolve("data").resolve("reports").resolve(WAVE + ".json")));
            Path image = rig.dir.resolve("data").resolve("web1").resolve("root.img");
            String atCutover = sha256(image);
            JsonNode s = rig.status();
            assertEquals("cut_over", s.path("state").asText(), s::toString);
            assertEquals(WAVE, s.path("cut_over").path("report_id").asText(), s::toString);
            assertTrue(Files.exists(rig.dir.resolve("state").resolve("cutover.json")), "recorded in the state directory");

            writeAndAwaitCounted(rig);
            JsonNode v = rig.client.post("/verify", Map.of(), 30_000);
            assertEquals("cut_over", v.path("result").asText(), v::toString);
            assertTrue(v.path("written_since_bytes").asLong() > 0, v::toString);

            rig.source.kill9();
            rig.startSource();
            assertTrue(rig.source.logSinceStart().contains("was cut over"), rig.source.logSinceStart());
            writeAndAwaitCounted(rig);
            JsonNode after = rig.status();
            assertEquals("cut_over", after.path("state").asText(), after::toString);
            assertFalse(after.path("connected").asBoolean(), "it does not connect again: " + after);
            JsonNode v2 = rig.client.post("/verify", Map.of(), 30_000);
            assertEquals("cut_over", v2.path("result").asText(), v2::toString);
            JsonNode sync = rig.client.post("/sync", Map.of("timeout_ms", 5_000), 10_000);
            assertEquals("failed", sync.path("result").asText(), sync::toString);
            Thread.sleep(2_500);
            assertEquals(atCutover, sha256(image), "nothing more was written to the receiver's image");
        }
    }

    /** Writes a file on the mount and waits until the source counts bytes written since the cutover. */
    private static void writeAndAwaitCounted(FreezeRig rig) throws Exception {
        byte[] data = new byte[1 << 20];
        new java.util.Random(9).nextBytes(data);
        Files.write(rig.mount.resolve("after-cutover-" + System.nanoTime()), data);
        Shell.run("sync", "-f", rig.mount.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode s = rig.status();
        while (s.path("volumes").get(0).path("written_since_bytes").asLong() == 0) {
            assertTrue(System.nanoTime() - deadline < 0, "the writes were never counted: " + s);
            Thread.sleep(100);
            s = rig.status();
        }
    }

    @Test
    void shouldKeepTheFileSystemsFrozenAfterTheCommitUntilThawed() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            prepared(rig, 60_000);
            JsonNode c = rig.client.post("/cutover/commit", commit("keep-frozen", 120_000), 60_000);
            assertEquals("ok", c.path("result").asText(), () -> c + "\n" + rig.logs());
            assertEquals("frozen", c.path("file_systems").asText(), c::toString);
            assertTrue(c.path("thawed_utc").isNull(), c::toString);
            assertTrue(Files.exists(seal(rig)));
            Thread.sleep(1_000);
            assertTrue(rig.isFrozen(), "kept frozen after the cutover");
            JsonNode s = rig.status();
            assertEquals("cut_over", s.path("state").asText(), s::toString);
            assertTrue(s.path("frozen").toString().contains(rig.mount.toString()), s::toString);
            CliRun thaw = CliRun.run("thaw", "--admin", rig.sourceAdmin);
            assertEquals(0, thaw.exit(), thaw::toString);
            assertFalse(rig.isFrozen());
            assertEquals(1, CliRun.run("thaw", "--admin", rig.sourceAdmin).exit(), "nothing is frozen any more");
            rig.assertWritable();
            awaitRecorded(rig);
        }
    }

    /** The cutover record reaches the state directory once nothing is frozen. */
    private static void awaitRecorded(FreezeRig rig) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(rig.dir.resolve("state").resolve("cutover.json"))) {
            assertTrue(System.nanoTime() - deadline < 0, "no cutover record:\n" + rig.logs());
            Thread.sleep(50);
        }
    }

    @Test
    void shouldThawAtTheMaximumWhenKeptFrozenAndNobodyThaws() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            prepared(rig, 60_000);
            JsonNode c = rig.client.post("/cutover/commit", commit("keep-frozen", 3_000), 60_000);
            long committedNs = System.nanoTime();
            assertEquals("frozen", c.path("file_systems").asText(), () -> c + "\n" + rig.logs());
            long thawedMs = rig.awaitThawed(committedNs, 3_000 + 5_000);
            System.out.printf("kept frozen after the commit, thawed %d ms later (max_frozen_ms 3000)%n", thawedMs);
            rig.assertWritable();
            awaitRecorded(rig);
            assertEquals("cut_over", rig.status().path("state").asText());
        }
    }

    @Test
    void shouldThawAndSealNothingWhenAbortedWhileHeld() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            prepared(rig, 60_000);
            Map<String, Object> abort = new LinkedHashMap<>(commit("thaw", 1));
            abort.put("reason", "db1 could not freeze");
            JsonNode a = rig.client.post("/cutover/abort", abort, 30_000);
            assertEquals("aborted", a.path("result").asText(), a::toString);
            assertEquals("thawed", a.path("file_systems").asText(), a::toString);
            assertFalse(a.path("fenced").asBoolean(), a::toString);
            assertFalse(rig.isFrozen());
            assertFalse(Files.exists(seal(rig)), "nothing sealed");
            JsonNode late = rig.client.post("/cutover/commit", commit("thaw", 1), 30_000);
            assertEquals("failed", late.path("result").asText(), late::toString);
            assertFalse(Files.exists(seal(rig)), "a commit after the abort seals nothing");
            rig.awaitInSync();
            assertEquals("continuous", rig.status().path("state").asText(), "the source keeps replicating");
        }
    }

    @Test
    void shouldThawAndSealNothingWhenTheDeadlinePassesWhileHeld() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            prepared(rig, 8_000);
            long heldNs = System.nanoTime();
            long thawedMs = rig.awaitThawed(heldNs, 8_000 + 10_000);
            System.out.printf("held cutover thawed at its deadline, %d ms after the prepare answered (timeout 8 s "
                    + "from the prepare's request)%n", thawedMs);
            JsonNode late = rig.client.post("/cutover/commit", commit("thaw", 1), 30_000);
            assertEquals("failed", late.path("result").asText(), late::toString);
            assertFalse(Files.exists(seal(rig)), "nothing sealed");
            String log = rig.source.logSinceStart();
            assertTrue(log.contains("FAILED in its held"), log);
            assertFalse(log.contains("asked the receiver to keep report"), "nothing was sent to seal: " + log);
            rig.awaitInSync();
            assertEquals("continuous", rig.status().path("state").asText());
        }
    }

    @Test
    void shouldThawAndSealNothingWhenTheDaemonIsKilledWhileHeld() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            prepared(rig, 120_000);
            long killedNs = System.nanoTime();
            rig.source.kill9();
            long thawedMs = rig.awaitThawed(killedNs, 10_000);
            System.out.printf("held cutover thawed %d ms after SIGKILL of the source (timeout 120 s)%n", thawedMs);
            rig.assertWritable();
            assertFalse(Files.exists(seal(rig)), "nothing sealed");
            rig.startSource();
            rig.awaitInSync();
            assertEquals("continuous", rig.status().path("state").asText());
        }
    }

    @Test
    void shouldRefuseASecondCutoverAtOnceNamingTheRunningOne() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            rig.startSource();
            rig.awaitInSync();
            rig.proxy.holdAfterNextBarrierAck();
            CompletableFuture<CliRun> first = rig.cutoverInBackground("60s");
            rig.awaitFrozen(15_000);
            CompletableFuture<JsonNode> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return rig.client.post("/cutover/prepare", Map.of("wave_id", WAVE, "timeout_ms", 60_000), 30_000);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            JsonNode refused = second.get(30, TimeUnit.SECONDS);
            assertEquals("refused", refused.path("result").asText(), refused::toString);
            String reason = refused.path("reason").asText();
            assertTrue(reason.matches("refused: a cutover \\(wave " + WAVE + "\\) asked by 'loopback' cannot run now: "
                    + "a cutover( \\(wave [^)]+\\))? asked by 'loopback' at \\d{4}-\\d\\d-\\d\\dT.*Z is running.*"), reason);
            assertEquals("cutover", refused.path("running").path("operation").asText(), refused::toString);
            JsonNode sync = rig.client.post("/sync", Map.of(), 30_000);
            assertEquals("refused", sync.path("result").asText(), sync::toString);
            assertTrue(rig.isFrozen(), "the running cutover is untouched");
            rig.proxy.release();
            JsonNode done = Json.MAPPER.readTree(first.get(60, TimeUnit.SECONDS).out());
            assertEquals("ok", done.path("result").asText(), () -> done + "\n" + rig.logs());
            assertTrue(Files.exists(seal(rig)), "the first cutover sealed: " + done);
            assertFalse(rig.isFrozen());
        }
    }
}
