package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import io.replicator.source.report.ReportJson;
import io.replicator.source.report.WaveReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code replicator cutover} of a wave against stub source endpoints: flags, output, report files, exit codes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CutoverCommandTest {
    @TempDir
    Path dir;

    private final StubFleet stubs = new StubFleet();

    @AfterEach
    void stop() {
        stubs.close();
    }

    private String stub(String id, StubSource.Prepare prepare) throws Exception {
        return stubs.add(id, prepare).admin();
    }

    @Test
    void shouldPrintTheContractFieldsAndTheWaveAndWriteTheReportBesideAsMarkdown() throws Exception {
        Path file = dir.resolve("wave.json");
        CliRun r = CliRun.run("cutover", "--admin", stub("web1", StubSource.Prepare.VERIFY), "--admin",
                stub("db1", StubSource.Prepare.VERIFY), "--json", "--report", file.toString(), "--timeout", "30s");
        assertEquals(0, r.exit(), r::toString);
        JsonNode o = Json.MAPPER.readTree(r.out());
        assertEquals("ok", o.path("result").asText());
        assertTrue(o.path("verified").asBoolean());
        assertTrue(o.has("downtime_ms"), r.out());
        assertEquals(2 * 65536, o.path("final_sync_bytes").asLong());
        assertEquals(2, o.path("volumes").size());
        assertEquals("ab12", o.path("volumes").get(1).path("checksum_target").asText());
        assertEquals("db1", o.path("volumes").get(1).path("source").asText());
        assertEquals(1, o.path("report_schema").asInt());
        assertEquals(2, o.path("servers").size());
        WaveReport kept = ReportJson.read(Files.readString(file));
        assertEquals(o.path("wave_id").asText(), kept.waveId());
        assertTrue(Files.readString(dir.resolve("wave.md")).startsWith("# Cutover report " + kept.waveId()));
    }

    @Test
    void shouldSayForPeopleThatEveryServerWasVerifiedAndFenced() throws Exception {
        CliRun r = CliRun.run("cutover", "--admin", stub("web1", StubSource.Prepare.VERIFY), "--admin",
                stub("db1", StubSource.Prepare.VERIFY), "--timeout", "30s");
        assertEquals(0, r.exit(), r::toString);
        System.out.print(r.out());
        assertTrue(r.out().startsWith("cutover ok: wave-"), r.out());
        assertTrue(r.out().contains("verified and fenced"), r.out());
        CliRun failed = CliRun.run("cutover", "--admin", stub("web2", StubSource.Prepare.VERIFY), "--admin",
                stub("db2", StubSource.Prepare.FAIL_FREEZE));
        assertEquals(1, failed.exit(), failed::toString);
        System.out.print(failed.out());
        assertTrue(failed.out().startsWith("cutover FAILED: wave-"), failed.out());
        assertTrue(failed.out().contains("db2 failed: cannot freeze /srv/x"), failed.out());
    }

    @Test
    void shouldExitOneNamingTheCulpritAndStillWriteTheReport() throws Exception {
        Path file = dir.resolve("failed-wave");
        CliRun r = CliRun.run("cutover", "--admin", stub("web1", StubSource.Prepare.VERIFY), "--admin",
                stub("db1", StubSource.Prepare.FAIL_FREEZE), "--json", "--report", file.toString());
        assertEquals(1, r.exit(), r::toString);
        JsonNode o = Json.MAPPER.readTree(r.out());
        assertEquals("failed", o.path("result").asText());
        assertFalse(o.path("verified").asBoolean());
        assertEquals("db1", o.path("failed_server").asText());
        assertEquals("db1", ReportJson.read(Files.readString(file)).failedServer());
        assertTrue(Files.exists(dir.resolve("failed-wave.md")));
    }

    @Test
    void shouldExitTwoWhenADaemonIsLostSayingItsGuardThawsIt() throws Exception {
        try (DyingSource dying = new DyingSource("db1")) {
            CliRun r = CliRun.run("cutover", "--admin", stub("web1", StubSource.Prepare.VERIFY), "--admin",
                    "127.0.0.1:" + dying.address().getPort(), "--json");
            assertEquals(2, r.exit(), r::toString);
            assertTrue(r.err().contains("db1: ") && r.err().contains("freeze guard"), r.err());
            assertEquals("db1", Json.MAPPER.readTree(r.out()).path("failed_server").asText(), r.out());
        }
        assertEquals(1, stubs.get(0).count("/cutover/abort"));
    }

    @Test
    void shouldHandTheSourcesWhatBecomesOfThemAfterwards() throws Exception {
        String admin = stub("web1", StubSource.Prepare.VERIFY);
        CliRun r = CliRun.run("cutover", "--admin", admin, "--after", "keep-frozen", "--max-frozen", "5m");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("cutover ok: downtime 900 ms (freeze to verified), final sync 64.0 KiB"), r.out());
        JsonNode commit = stubs.get(0).body("/cutover/commit");
        assertEquals("keep-frozen", commit.path("after").asText());
        assertEquals(300_000, commit.path("max_frozen_ms").asLong());
    }

    @Test
    void shouldTakeTheServersAndTheirMountPointsFromAWaveFile() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("mnt"));
        Path wave = dir.resolve("wave.txt");
        Files.writeString(wave, "# two\n" + stub("web1", StubSource.Prepare.VERIFY) + " " + mount + "\n"
                + stub("db1", StubSource.Prepare.VERIFY) + "\n");
        CliRun r = CliRun.run("cutover", "--wave", wave.toString(), "--json");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(mount.toString(), stubs.get(0).body("/cutover/prepare").path("freeze").get(0).asText());
        assertTrue(stubs.get(1).body("/cutover/prepare").path("freeze").isMissingNode(),
                "a server without mount points freezes its daemon's defaults");
    }

    @Test
    void shouldRefuseFlagsThatDoNotGoTogether() throws Exception {
        String admin = stub("web1", StubSource.Prepare.VERIFY);
        CliRun.assertOneLineExit2(CliRun.run("cutover", "--admin", admin, "--max-frozen", "5m"),
                "--max-frozen goes with --after keep-frozen");
        Path wave = Files.writeString(dir.resolve("w"), admin + "\n");
        CliRun.assertOneLineExit2(CliRun.run("cutover", "--admin", admin, "--wave", wave.toString()),
                "--wave and --admin do not go together");
        CliRun.assertOneLineExit2(CliRun.run("cutover", "--admin", admin, "--after", "freeze"),
                "invalid after: 'freeze'");
        CliRun.assertOneLineExit2(CliRun.run("cutover", "--wave", dir.resolve("missing").toString()),
                "cannot read it");
        assertEquals(0, stubs.get(0).count("/sync"), "nothing was asked");
    }
}
