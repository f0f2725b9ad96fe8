package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a daemon prints: one JSON object a line with {@code --log-format json}; {@code --version} with its commit. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonLogTest {
    @TempDir
    Path dir;

    @Test
    void shouldLogOneJsonObjectALineWithLogFormatJson() throws Exception {
        try (DaemonProcess target = new DaemonProcess("target", dir.resolve("target.log"), List.of("target",
                "--listen", "127.0.0.1:0", "--data-dir", dir.resolve("data").toString(), "--insecure-plaintext",
                "--log-format", "json"))) {
            target.start("target receiver listening on", 60_000);
            String log = target.logSinceStart();
            int events = 0;
            for (String line : log.lines().toList()) {
                JsonNode event = Json.MAPPER.readTree(line);
                assertTrue(event.isObject(), line);
                assertTrue(event.path("timestamp").isNumber(), line);
                assertTrue(List.of("ERROR", "WARN", "INFO").contains(event.path("level").asText()), line);
                assertTrue(event.path("loggerName").asText().startsWith("io.replicator."), line);
                assertFalse(event.path("formattedMessage").asText().isEmpty(), line);
                events++;
            }
            assertTrue(events > 0 && log.contains("\"formattedMessage\":\"target receiver listening on"), log);
        }
    }

    @Test
    void shouldRefuseAnUnknownLogFormatOrLevel() {
        CliRun.assertOneLineExit2(CliRun.run("target", "--listen", "127.0.0.1:0", "--data-dir", dir.toString(),
                "--insecure-plaintext", "--log-format", "xml"), "invalid --log-format 'xml' (expected: text, json)");
        CliRun.assertOneLineExit2(CliRun.run("target", "--listen", "127.0.0.1:0", "--data-dir", dir.toString(),
                "--insecure-plaintext", "--log-level", "loud"), "invalid --log-level 'loud'");
    }

    @Test
    void shouldPrintTheVersionAndTheCommitOfTheBuild() throws Exception {
        CliRun r = CliRun.run("--version");
        assertEquals(0, r.exit(), r.err());
        String commit = Shell.run("git", "-C", Path.of("..").toAbsolutePath().toString(), "rev-parse", "--short=12", "HEAD");
        assertTrue(r.out().startsWith("replicator 0.1.0-SNAPSHOT (commit " + commit + "), protocol v"), r.out());
    }
}
