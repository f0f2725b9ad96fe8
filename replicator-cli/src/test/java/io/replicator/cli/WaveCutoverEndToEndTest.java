package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import io.replicator.source.report.ReportJson;
import io.replicator.source.report.ServerReport;
import io.replicator.source.report.ServerResult;
import io.replicator.source.report.WaveReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WaveCutoverEndToEndTest {
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

    private static String logsOf(WaveRig rig) {
        try {
            return rig.logs();
        } catch (java.io.IOException e) {
            return "(logs unreadable: " + e.getMessage() + ")";
        }
    }
}
