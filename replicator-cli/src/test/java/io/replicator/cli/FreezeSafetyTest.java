package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A freeze of a real ext4 file system never outlives its cutover: the source daemon killed with
 * SIGKILL, hung (SIGSTOP), cut off from the target, its guard killed with it, its client gone, or
 * its state directory on the frozen file system. In each case the cutover is held in its drain by
 * a proxy that lets the probe's barrier acknowledgement through and nothing after it, so that the
 * file system stays frozen until whatever the test does to the daemon.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FreezeSafetyTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsLoopDevices() {
        FreezeRig.assumeFreezable();
    }

    /** A cutover running in the background, and when its freeze was seen. */
    private record Frozen(CompletableFuture<CliRun> cutover, long frozenNs) {
        JsonNode answer() throws Exception {
            return Json.MAPPER.readTree(cutover.get(30, TimeUnit.SECONDS).out());
        }
    }

    /** Starts the rig, waits for the copy, holds acknowledgements after the probe and starts a cutover; returns when frozen. */
    private static Frozen frozenCutover(FreezeRig rig, String timeout) throws Exception {
        rig.startSource();
        rig.awaitInSync();
        rig.proxy.holdAfterNextBarrierAck();
        CompletableFuture<CliRun> cutover = rig.cutoverInBackground(timeout);
        return new Frozen(cutover, rig.awaitFrozen(15_000));
    }

    @Test
    void shouldThawAtOnceWhenTheDaemonIsKilledDuringTheFreezeAndStartAgainCleanly() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            Frozen f = frozenCutover(rig, "60s");
            long killedNs = System.nanoTime();
            rig.source.kill9();
            long thawedMs = rig.awaitThawed(killedNs, 10_000);
            System.out.printf("thawed %d ms after SIGKILL of the source (cutover timeout 60 s)%n", thawedMs);
            rig.assertWritable();
            CliRun r = f.cutover().get(30, TimeUnit.SECONDS);
            assertEquals(2, r.exit(), r::toString);
            assertTrue(r.err().contains("freeze guard"), r.err());
            rig.proxy.release();
            rig.startSource();
            rig.awaitInSync();
            assertFalse(rig.isFrozen());
            assertEquals("continuous", rig.status().path("state").asText());
        }
    }

    @Test
    void shouldThawAtTheDeadlineWhenTheDaemonHangsDuringTheFreeze() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            Frozen f = frozenCutover(rig, "4s");
            Shell.run("kill", "-STOP", String.valueOf(rig.source.pid()));
            try {
                long thawedMs = rig.awaitThawed(f.frozenNs(), 4_000 + 3_000);
                System.out.printf("thawed %d ms after the freeze was seen, the source stopped (timeout 4 s)%n", thawedMs);
                rig.assertWritable();
            } finally {
                Shell.run("kill", "-CONT", String.valueOf(rig.source.pid()));
            }
            JsonNode c = f.answer();
            assertEquals("failed", c.path("result").asText(), c::toString);
            assertEquals("thawed", c.path("file_systems").asText(), c::toString);
            assertTrue(c.path("still_frozen").isEmpty(), c::toString);
        }
    }

    @Test
    void shouldThawAtOnceWhenTheTargetIsLostDuringTheFreeze() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            Frozen f = frozenCutover(rig, "60s");
            long droppedNs = System.nanoTime();
            rig.proxy.dropConnections();
            CliRun r = f.cutover().get(30, TimeUnit.SECONDS);
            long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - droppedNs);
            JsonNode c = Json.MAPPER.readTree(r.out());
            assertEquals(1, r.exit(), r::toString);
            assertTrue(c.path("reason").asText().contains("lost the connection to the target"), c::toString);
            assertEquals("thawed", c.path("file_systems").asText(), c::toString);
            assertFalse(rig.isFrozen());
            System.out.printf("cutover answered %d ms after the connection was lost (timeout 60 s)%n", answeredMs);
            rig.proxy.release();
            rig.awaitInSync();
        }
    }

    @Test
    void shouldThawFromTheRecordWhenTheDaemonAndItsGuardWereBothKilled() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            Frozen f = frozenCutover(rig, "120s");
            // As a kill of the whole control group would: nothing of the daemon's is left to thaw.
            Shell.run("kill", "-STOP", String.valueOf(rig.source.pid()));
            Shell.run("pkill", "-KILL", "-f", "freeze-guard [0-9]+ " + rig.mount);
            rig.source.kill9();
            Thread.sleep(500);
            assertTrue(rig.isFrozen(), "still frozen: nobody is left to thaw it");
            rig.proxy.release();
            rig.startSource();
            assertFalse(rig.isFrozen(), "the restarted daemon thawed what its record names");
            assertTrue(rig.source.logSinceStart().contains("thawed " + rig.mount), rig.source.logSinceStart());
            rig.assertWritable();
            rig.awaitInSync();
            f.cutover().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldWithdrawACutoverWhoseClientWentAway() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, false, false)) {
            rig.startSource();
            rig.awaitInSync();
            rig.proxy.holdAfterNextBarrierAck();
            CompletableFuture<JsonNode> abandoned = CompletableFuture.supplyAsync(() -> {
                try {
                    return rig.client.post("/cutover", Map.of("freeze", List.of(rig.mount.toString()),
                            "timeout_ms", 60_000), 3_000);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            rig.awaitFrozen(15_000);
            java.util.concurrent.ExecutionException gaveUp = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> abandoned.get(30, TimeUnit.SECONDS));
            assertTrue(gaveUp.getCause().getMessage().contains("did not answer within"), gaveUp.getCause().getMessage());
            long goneNs = System.nanoTime();
            long thawedMs = rig.awaitThawed(goneNs, 10_000);
            System.out.printf("thawed %d ms after the client went away (timeout 60 s)%n", thawedMs);
            rig.proxy.release();
            rig.awaitInSync();
            JsonNode s = rig.status();
            assertEquals("continuous", s.path("state").asText(), s::toString);
            assertTrue(rig.source.logSinceStart().contains("cancelled: the admin's client went away"),
                    rig.source.logSinceStart());
        }
    }

    @Test
    void shouldNotWriteToTheFrozenFileSystemThatHoldsTheStateDirectory() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, true, true)) {
            // The state is flushed every 5 s: a cutover of 8 s crosses at least one flush.
            Frozen f = frozenCutover(rig, "8s");
            JsonNode during = rig.client.get("/status", 1_000);
            assertEquals("cutting_over", during.path("state").asText(), during::toString);
            assertEquals(0, during.path("stale_ms").asLong(), "the agent answers while frozen: " + during);
            CliRun r = f.cutover().get(30, TimeUnit.SECONDS);
            long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - f.frozenNs());
            JsonNode c = Json.MAPPER.readTree(r.out());
            assertTrue(c.path("reason").asText().startsWith("timed out after 8000 ms"), c::toString);
            assertEquals("thawed", c.path("file_systems").asText(), c::toString);
            assertFalse(rig.isFrozen());
            System.out.printf("cutover answered %d ms after the freeze (timeout 8 s)%n", answeredMs);
            assertTrue(answeredMs < 8_000 + 5_000, "answered " + answeredMs + " ms after the freeze");
            rig.proxy.release();
            rig.awaitInSync();
            assertTrue(Files.readString(rig.mount.resolve("source.log")).contains("freeze: thawed"),
                    "the log held while frozen reached its file after the thaw");
        }
    }

    @Test
    void shouldAnswerStatusAndNeverStartALateCutoverWhileTheAgentIsStuckInAWrite() throws Exception {
        try (FreezeRig rig = new FreezeRig(dir, true, false)) {
            rig.startSource();
            rig.awaitInSync();
            // Frozen behind the daemon's back: once it has something new to write to its state (the
            // fingerprints of blocks of the other volume, acknowledged), its write blocks in the kernel.
            Shell.run("fsfreeze", "--freeze", rig.mount.toString());
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                JsonNode s = rig.client.get("/status", 1_000);
                java.util.Random random = new java.util.Random(100);
                while (s.path("stale_ms").asLong() == 0) {
                    assertTrue(System.nanoTime() - deadline < 0, "the agent never got stuck: " + s);
                    overwriteBlocks(rig.other, random);
                    Thread.sleep(200);
                    s = rig.client.get("/status", 1_000);
                }
                long startNs = System.nanoTime();
                JsonNode stale = rig.client.get("/status", 1_000);
                long answeredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                System.out.printf("status answered in %d ms while the agent was stuck (stale_ms %d)%n", answeredMs,
                        stale.path("stale_ms").asLong());
                assertTrue(stale.path("stale_ms").asLong() > 0, stale::toString);
                assertEquals("web1", stale.path("id").asText(), stale::toString);
                IOException gaveUp = assertThrows(IOException.class, () -> rig.client.post("/cutover",
                        Map.of("timeout_ms", 2_000), 2_500));
                assertTrue(gaveUp.getMessage().contains("did not answer within"), gaveUp.getMessage());
                Thread.sleep(500);
            } finally {
                Shell.run("fsfreeze", "--unfreeze", rig.mount.toString());
            }
            rig.awaitInSync();
            JsonNode s = rig.status();
            assertEquals("continuous", s.path("state").asText(), s::toString);
            assertEquals(0, s.path("stale_ms").asLong(), s::toString);
            assertFalse(rig.source.logSinceStart().contains("cutover: started"), rig.source.logSinceStart());
        }
    }

    /** Overwrites 64 random 4 KiB blocks of {@code file} in place (the file keeps its size). */
    private static void overwriteBlocks(Path file, java.util.Random random) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            byte[] block = new byte[4096];
            long blocks = ch.size() / block.length;
            for (int i = 0; i < 64; i++) {
                random.nextBytes(block);
                ch.write(java.nio.ByteBuffer.wrap(block), (long) random.nextInt((int) blocks) * block.length);
            }
        }
    }
}
