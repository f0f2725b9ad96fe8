package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import io.replicator.protocol.block.ChunkHashes;
import io.replicator.source.report.ReportJson;
import io.replicator.source.report.ServerReport;
import io.replicator.source.report.ServerResult;
import io.replicator.source.report.WaveReport;
import io.replicator.source.track.kernel.TraceFs;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waves of three servers cut over together by {@code replicator cutover}, each server a real ext4
 * file system on a loop device with an application writing to it, its source daemon a real
 * process, one receiver process for all: a wave that verifies is sealed whole; a wave in which one
 * server's freeze fails, or one source daemon is killed while the others are frozen, thaws every
 * server, seals none and names the culprit. Every wave's report is written where {@code --report}
 * points and kept by the receiver.
 *
 * <p>Incremental verification (kernel tracker): the cutover compares every block before the freeze
 * and, while frozen, only the blocks written since; the roots it reports are those of the whole
 * volumes, computed here from the images while the old server is kept frozen. A block changed on
 * the receiver's copy behind the tool's back before the cutover fails it, seals nothing and thaws;
 * the block is sent again and the next cutover verifies.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WaveCutoverEndToEndTest {
    private static final Pattern FROZEN_CHUNKS = Pattern.compile("verifying (\\d+) chunks written since they were "
            + "compared \\(incremental\\)");

    @TempDir
    static Path shared;

    private static WaveRig.Receiver receiver;

    @TempDir
    Path dir;

    @BeforeAll
    static void startReceiver() throws Exception {
        if (Shell.whyNoLoopDevices() == null) {
            receiver = WaveRig.Receiver.start(shared);
        }
    }

    @AfterAll
    static void stopReceiver() throws InterruptedException {
        if (receiver != null) {
            receiver.close();
        }
    }

    @BeforeEach
    void needsLoopDevices() {
        FreezeRig.assumeFreezable();
    }

    private WaveRig rig(String... ids) throws Exception {
        return new WaveRig(dir, receiver, List.of(ids));
    }

    /**
     * A wave file of the rig's servers, each line the server's admin endpoint and its own mount
     * point, plus {@code extraMount} on the line of server {@code extraAt}.
     */
    private Path waveFile(WaveRig rig, int extraAt, Path extraMount) throws Exception {
        StringBuilder lines = new StringBuilder("# a wave of " + rig.servers.size() + " servers\n");
        for (int i = 0; i < rig.servers.size(); i++) {
            WaveRig.Server s = rig.server(i);
            lines.append(s.admin).append(' ').append(s.mount).append(i == extraAt ? " " + extraMount : "").append('\n');
        }
        return Files.writeString(dir.resolve("wave.txt"), lines);
    }

    /** {@code cutover --wave FILE --json --report REPORT --timeout 60s}. */
    private static CliRun cutover(Path wave, Path report) {
        return CliRun.run("cutover", "--wave", wave.toString(), "--json", "--report", report.toString(), "--timeout",
                "60s");
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private Path image(String id) {
        return shared.resolve("data").resolve(id).resolve("root.img");
    }

    /** The receiver keeps the report of {@code waveId}: its JSON as written to the file, its Markdown. */
    private static void assertKeptByTheReceiver(WaveReport report) throws Exception {
        JsonNode kept = receiver.admin().post("/report", java.util.Map.of("id", report.waveId()), 10_000);
        assertEquals(report.waveId(), kept.path("report").path("wave_id").asText(), kept::toString);
        assertEquals(report.result().toString(), kept.path("report").path("result").asText(), kept::toString);
        assertTrue(kept.path("markdown").asText().startsWith("# Cutover report " + report.waveId()), kept::toString);
    }

    @Test
    void shouldCutOverThreeWritingServersTogetherAndSealThemAll() throws Exception {
        try (WaveRig rig = rig("shop-web1", "shop-web2", "shop-db1")) {
            Path file = dir.resolve("shop.json");
            CliRun r = cutover(waveFile(rig, -1, null), file);
            assertEquals(0, r.exit(), () -> r + "\n" + logsOf(rig));
            JsonNode o = Json.MAPPER.readTree(r.out());
            assertEquals("ok", o.path("result").asText());
            assertTrue(o.path("verified").asBoolean(), r.out());
            WaveReport report = ReportJson.read(Files.readString(file));
            assertEquals(o.path("wave_id").asText(), report.waveId());
            assertEquals(3, report.servers().size());
            for (ServerReport s : report.servers()) {
                assertEquals(ServerResult.OK, s.result(), s::toString);
                assertTrue(s.fenced(), s::toString);
                assertTrue(s.freezeMs() != null && s.freezeMs() > 0, s::toString);
                assertEquals(s.volumes().get(0).checksumSource(), s.volumes().get(0).checksumTarget(), s::toString);
            }
            assertTrue(report.waveDowntimeMs() != null && report.waveDowntimeMs() >= 0, report::toString);
            System.out.printf("wave of 3 cut over: wave downtime %d ms, freeze %s ms%n", report.waveDowntimeMs(),
                    report.servers().stream().map(s -> String.valueOf(s.freezeMs())).toList());
            assertTrue(Files.readString(dir.resolve("shop.md")).contains("**Result: ok.** 3 servers cut over"));
            assertKeptByTheReceiver(report);
            List<String> sealed = new ArrayList<>();
            for (WaveRig.Server s : rig.servers) {
                assertEquals(report.waveId(), receiver.source(s.id).path("sealed").path("report_id").asText(),
                        () -> s.id + " sealed on the receiver");
                assertEquals("cut_over", s.status().path("state").asText(), s.id);
                s.assertTakesWrites();
                sealed.add(sha256(image(s.id)));
            }
            Thread.sleep(3_000);
            for (int i = 0; i < rig.servers.size(); i++) {
                WaveRig.Server s = rig.server(i);
                assertEquals(sealed.get(i), sha256(image(s.id)), s.id + ": nothing written to the sealed copy since");
                assertTrue(s.status().path("volumes").get(0).path("written_since_bytes").asLong() > 0,
                        s.id + " counts what its application wrote since");
            }
        }
    }

    @Test
    void shouldThawEveryServerAndSealNoneWhenOneServersFreezeFails() throws Exception {
        try (WaveRig rig = rig("mail-web1", "mail-mx1", "mail-db1"); LoopFs extra = new LoopFs()) {
            Path unfreezable = dir.resolve("tmpfs");
            extra.mountTmpfs(unfreezable, 1 << 20);
            Path file = dir.resolve("mail.json");
            CliRun r = cutover(waveFile(rig, 1, unfreezable), file);
            assertEquals(1, r.exit(), () -> r + "\n" + logsOf(rig));
            WaveReport report = ReportJson.read(Files.readString(file));
            assertEquals("mail-mx1", report.failedServer(), report::toString);
            assertEquals("mail-mx1", Json.MAPPER.readTree(r.out()).path("failed_server").asText());
            System.out.println("the culprit, as the report names it: " + report.reason());
            assertNoneSealedAllThawedAndReplicating(rig, report);
        }
    }

    @Test
    void shouldThawEveryServerAndSealNoneWhenASourceDaemonIsKilledWhileTheOthersAreFrozen() throws Exception {
        try (WaveRig rig = rig("bank-app1", "bank-app2", "bank-db1")) {
            WaveRig.Server victim = rig.server(2);
            victim.proxy.holdAfterNextBarrierAck();
            Path file = dir.resolve("bank.json");
            Path wave = waveFile(rig, -1, null);
            CompletableFuture<CliRun> running = CompletableFuture.supplyAsync(() -> cutover(wave, file));
            rig.awaitFrozen(rig.servers, 30_000);
            victim.source.kill9();
            CliRun r = running.get(120, TimeUnit.SECONDS);
            assertEquals(2, r.exit(), () -> r + "\n" + logsOf(rig));
            assertTrue(r.err().contains("bank-db1: ") && r.err().contains("freeze guard"), r.err());
            WaveReport report = ReportJson.read(Files.readString(file));
            assertEquals("bank-db1", report.failedServer(), report::toString);
            System.out.println("the culprit, as the report names it: " + report.reason());
            victim.proxy.release();
            victim.source.start("admin endpoint on", WaveRig.START_TIMEOUT_MS);
            assertNoneSealedAllThawedAndReplicating(rig, report);
        }
    }

    private static void assertNoneSealedAllThawedAndReplicating(WaveRig rig, WaveReport report) throws Exception {
        assertFalse(report.ok());
        assertTrue(report.servers().stream().noneMatch(ServerReport::fenced), report::toString);
        for (WaveRig.Server s : rig.servers) {
            s.assertTakesWrites();
            assertFalse(s.frozen(), s.id + " thawed");
            assertTrue(receiver.source(s.id).path("sealed").isNull(), () -> s.id + " not sealed");
        }
        for (WaveRig.Server s : rig.servers) {
            CliRun sync = CliRun.run("sync", "--admin", s.admin, "--json", "--timeout", "60s");
            assertEquals(0, sync.exit(), () -> s.id + " replicates on: " + sync);
        }
        assertKeptByTheReceiver(report);
    }

    private static void assumeKernelTracker() {
        String noTrace = TraceFs.unavailableReason();
        assumeTrue(noTrace == null, () -> "skipped: the kernel tracker cannot work here: " + noTrace);
    }

    /** The root both sides compute of {@code image}: SHA-256 over every 4 KiB chunk's SHA-256 ({@link ChunkHashes}). */
    private static String root(Path image) throws Exception {
        ChunkHashes hashes = new ChunkHashes();
        hashes.beginRoot(WaveRig.DISK_BYTES, 4096);
        ByteBuffer chunk = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            for (long at = 0; at < WaveRig.DISK_BYTES; at += chunk.capacity()) {
                chunk.clear();
                while (chunk.hasRemaining() && ch.read(chunk, at + chunk.position()) > 0) {
                    // read the whole chunk
                }
                hashes.addToRoot(hashes.hashChunk(chunk.flip()));
            }
        }
        return hashes.finishRoot();
    }

    private static CliRun cutover(WaveRig.Server s, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("cutover", "--admin", s.admin, "--freeze",
                s.mount.toString(), "--json", "--timeout", "60s"));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void shouldVerifyAWritingServerIncrementallyWithTheRootsOfTheWholeVolumes() throws Exception {
        assumeKernelTracker();
        try (WaveRig rig = new WaveRig(dir, receiver, List.of("inc-web1"), "kernel")) {
            WaveRig.Server s = rig.server(0);
            CliRun r = cutover(s, "--after", "keep-frozen", "--report", dir.resolve("inc.json").toString());
            assertEquals(0, r.exit(), () -> r + "\n" + rig.logsOrWhy());
            JsonNode o = Json.MAPPER.readTree(r.out());
            JsonNode server = o.path("servers").get(0);
            assertEquals("incremental", server.path("verification").asText(), r.out());
            assertEquals("incremental", Json.MAPPER.readTree(Files.readString(dir.resolve("inc.json")))
                    .path("servers").get(0).path("verification").asText(), "the kept report says it too");
            JsonNode volume = server.path("volumes").get(0);
            // kept frozen: the old server's disk cannot change, the sealed copy takes nothing more
            assertEquals(root(s.image), volume.path("checksum_source").asText(), "the source's whole volume");
            assertEquals(root(image(s.id)), volume.path("checksum_target").asText(), "the copy's whole volume");
            assertEquals(volume.path("checksum_source").asText(), volume.path("checksum_target").asText());
            Matcher m = FROZEN_CHUNKS.matcher(s.source.logSinceStart());
            assertTrue(m.find(), () -> "no incremental verification in the log:\n" + rig.logsOrWhy());
            long frozenChunks = Long.parseLong(m.group(1));
            assertTrue(frozenChunks > 0, "the application wrote between the comparison and the freeze: " + frozenChunks);
            assertTrue(frozenChunks < WaveRig.DISK_BYTES / 4096, "only what was written since: " + frozenChunks);
            CliRun thaw = CliRun.run("thaw", "--admin", s.admin);
            assertEquals(0, thaw.exit(), thaw::toString);
            s.assertTakesWrites();
        }
    }

    @Test
    void shouldFailTheCutoverWhenTheCopyDiffersBeforeTheFreezeAndVerifyOnceTheBlockIsSentAgain() throws Exception {
        assumeKernelTracker();
        try (WaveRig rig = new WaveRig(dir, receiver, List.of("inc-db1"), "kernel")) {
            WaveRig.Server s = rig.server(0);
            JsonNode sync = s.client.post("/sync", java.util.Map.of("timeout_ms", 30_000), 40_000);
            assertEquals("ok", sync.path("result").asText(), sync::toString);
            long lastBlock = WaveRig.DISK_BYTES - 4096; // free space at the end of the file system: nobody writes it
            try (FileChannel ch = FileChannel.open(image(s.id), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, lastBlock + 100);
                b.put(0, (byte) (b.get(0) ^ 0x01)).rewind();
                ch.write(b, lastBlock + 100);
                ch.force(true);
            }
            CliRun failed = cutover(s);
            assertEquals(1, failed.exit(), () -> failed + "\n" + rig.logsOrWhy());
            JsonNode o = Json.MAPPER.readTree(failed.out());
            assertEquals("failed", o.path("result").asText(), failed.out());
            assertTrue(o.path("reason").asText().contains("1 chunks differ"), failed.out());
            assertFalse(Files.exists(shared.resolve("data").resolve(s.id).resolve("cutover-seal.json")),
                    "nothing sealed");
            s.assertTakesWrites();

            CliRun again = cutover(s);
            assertEquals(0, again.exit(), () -> again + "\n" + rig.logsOrWhy());
            JsonNode volume = Json.MAPPER.readTree(again.out()).path("servers").get(0).path("volumes").get(0);
            assertEquals(root(image(s.id)), volume.path("checksum_target").asText(),
                    "the block was sent again: the sealed copy is the verified one");
        }
    }

    private static String logsOf(WaveRig rig) {
        return rig.logsOrWhy();
    }
}
