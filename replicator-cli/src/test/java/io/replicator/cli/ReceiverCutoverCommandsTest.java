package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.admin.Json;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TestPki;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import io.replicator.target.admin.TargetAdmin;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replicator reports}, {@code reports show} and {@code release} against a real receiver (mutual
 * TLS on 127.0.0.1, its admin endpoint on loopback) that two sources of one wave sealed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReceiverCutoverCommandsTest {
    static final String WAVE = "wave-20261207T104100Z-3f2a";
    static final String JSON = "{\"report_schema\":1,\"wave_id\":\"" + WAVE + "\",\"result\":\"ok\","
            + "\"finished_utc\":\"2026-12-07T10:41:07Z\",\"servers\":[{\"source\":\"web1\"},{\"source\":\"db1\"}]}";
    static final String MARKDOWN = "# Cutover " + WAVE + "\n\n| server | result |\n|---|---|\n| web1 | ok |\n| db1 | ok |\n";

    @TempDir
    Path dir;

    @Test
    void shouldListShowAndReleaseWhatAWaveSealed() throws Exception {
        TargetConfig config = TargetConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .dataDir(dir.resolve("data")).pki(TestPki.shared().bundle(Role.TARGET, TestPki.TARGET_NAME)).build();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (TargetServer target = TargetServer.start(config, registry);
             AdminServer admin = TargetAdmin.start(new InetSocketAddress("127.0.0.1", 0), null, target, registry)) {
            assertTrue(SealingSource.seal(target.localAddress(), "web1", WAVE, JSON, MARKDOWN).sealed());
            assertTrue(SealingSource.seal(target.localAddress(), "db1", WAVE, JSON, MARKDOWN).sealed());
            String at = "127.0.0.1:" + admin.address().getPort();

            CliRun list = CliRun.run("reports", "--admin", at);
            assertEquals(0, list.exit(), list::err);
            assertTrue(list.out().contains(WAVE) && list.out().contains("2026-12-07T10:41:07Z")
                    && list.out().contains("ok") && list.out().contains("web1, db1"), list.out());
            JsonNode listed = Json.MAPPER.readTree(CliRun.run("reports", "--admin", at, "--json").out());
            assertEquals(WAVE, listed.path("reports").get(0).path("id").asText(), listed::toString);

            CliRun show = CliRun.run("reports", "show", WAVE, "--admin", at);
            assertEquals(0, show.exit(), show::err);
            assertEquals(MARKDOWN, show.out());
            CliRun showJson = CliRun.run("reports", "show", WAVE, "--admin", at, "--json");
            assertEquals(Json.MAPPER.readTree(JSON), Json.MAPPER.readTree(showJson.out()));
            CliRun unknown = CliRun.run("reports", "show", "wave-nope", "--admin", at);
            assertEquals(1, unknown.exit());
            assertTrue(unknown.err().contains("no cutover report 'wave-nope'"), unknown.err());

            CliRun noSource = CliRun.run("release", "--admin", at);
            assertEquals(1, noSource.exit(), noSource::out);
            assertTrue(noSource.out().contains("--source"), noSource.out());

            CliRun release = CliRun.run("release", "--admin", at, "--source", "web1");
            assertEquals(0, release.exit(), release::err);
            Path image = dir.resolve("data").resolve("web1").resolve("disk0.img");
            assertTrue(release.out().contains("released the cutover seal of source web1")
                    && release.out().contains("report " + WAVE)
                    && release.out().contains("the source's next changes will be written over these")
                    && release.out().contains("disk0") && release.out().contains(image.toString()), release.out());
            CliRun again = CliRun.run("release", "--admin", at, "--source", "web1");
            assertEquals(1, again.exit());
            assertTrue(again.out().contains("source 'web1' is not sealed"), again.out());

            try (SealingSource web1 = SealingSource.connect(target.localAddress(), "web1")) {
                assertInstanceOf(HelloAck.class, web1.read(), "released: its HELLO is accepted again");
            }
            try (SealingSource db1 = SealingSource.connect(target.localAddress(), "db1")) {
                ErrorFrame refused = assertInstanceOf(ErrorFrame.class, db1.read(), "db1 is still sealed");
                assertEquals(ErrorCode.CUT_OVER, refused.code());
            }
            CliRun table = CliRun.run("status", "--admin", at);
            assertTrue(table.out().contains("SEALED: cut over at") && table.out().contains("report " + WAVE)
                    && table.out().contains("release --source db1"), table.out());
            JsonNode status = Json.MAPPER.readTree(CliRun.run("status", "--admin", at, "--json").out());
            for (JsonNode source : status.path("sources")) {
                assertEquals(source.path("id").asText().equals("db1"), source.path("sealed").isObject(), status::toString);
            }
        }
    }

    @Test
    void shouldNotStartAReceiverOnASealFileItCannotReadNamingIt() throws Exception {
        Path seal = dir.resolve("data").resolve("web1").resolve("cutover-seal.json");
        Files.createDirectories(seal.getParent());
        Files.writeString(seal, "{\"format\": \"replicator-cutover-seal\", \"vers");
        CliRun r = CliRun.run("target", "--listen", "127.0.0.1:0", "--data-dir", dir.resolve("data").toString(),
                "--insecure-plaintext");
        CliRun.assertOneLineExit2(r, "cutover seal file " + seal + " is unreadable");
    }
}
