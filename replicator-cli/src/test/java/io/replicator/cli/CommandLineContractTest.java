package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import io.replicator.protocol.tls.TestPki;
import io.replicator.target.journal.JournalJvm;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The contract of PRODUCT.md as scripts see it: `target` and `source` as real processes, then
 * `status --json`, `sync --json`, `verify --json` and `cutover --json` with the fields it promises.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CommandLineContractTest {
    @TempDir
    Path dir;

    private final List<Process> daemons = new ArrayList<>();

    @AfterEach
    void stopDaemons() throws InterruptedException {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private Process daemon(String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JournalJvm.flags()); // as the launcher starts a daemon
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        daemons.add(p);
        return p;
    }

    private static JsonNode json(int expectedExit, String... args) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        assertEquals(expectedExit, exit, () -> String.join(" ", args) + ": " + out + err);
        return Json.MAPPER.readTree(out.toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldDriveTheDaemonsThroughTheCommandLineContract() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 16L << 20, 1);
        String target = "127.0.0.1:" + freePort();
        String admin = "127.0.0.1:" + freePort();
        TestPki pki = TestPki.shared();
        daemon("target", "target", "--listen", target, "--data-dir", dir.resolve("data").toString(),
                "--pki", pki.target().toString());
        waitForLog("target", "listening");
        daemon("source", "source", "--target", target, "--volume", volume + "=disk0", "--state-dir",
                dir.resolve("state").toString(), "--id", "web1", "--admin", admin, "--scan-interval", "1s",
                "--pki", pki.source("web1").toString());
        waitForLog("source", "admin endpoint");

        JsonNode sync = json(0, "sync", "--admin", admin, "--json");
        assertEquals("ok", sync.path("result").asText());

        JsonNode status = json(0, "status", "--admin", admin, "--json");
        assertEquals("web1", status.path("id").asText());
        assertEquals("continuous", status.path("state").asText());
        JsonNode v = status.path("volumes").get(0);
        assertEquals("disk0", v.path("name").asText());
        assertEquals(16L << 20, v.path("size_bytes").asLong());
        assertEquals(16L << 20, v.path("synced_bytes").asLong());
        assertEquals(0, v.path("backlog_bytes").asLong());
        assertTrue(v.path("sent_bytes").asLong() > 0);
        assertTrue(v.has("lag_ms"));

        JsonNode verify = json(0, "verify", "--admin", admin, "--json");
        assertEquals("ok", verify.path("result").asText());

        JsonNode cutover = json(0, "cutover", "--admin", admin, "--json", "--timeout", "60s");
        assertEquals("ok", cutover.path("result").asText());
        assertTrue(cutover.path("verified").asBoolean());
        assertTrue(cutover.has("downtime_ms") && cutover.has("final_sync_bytes"));
        JsonNode cv = cutover.path("volumes").get(0);
        assertEquals("disk0", cv.path("name").asText());
        assertEquals(cv.path("checksum_source").asText(), cv.path("checksum_target").asText());
        Replication.assertSameBytes(volume, dir.resolve("data").resolve("web1").resolve("disk0.img"));

        JsonNode again = json(1, "cutover", "--admin", admin, "--json");
        assertEquals("failed", again.path("result").asText());
        assertTrue(again.path("reason").asText().contains("already done"));
    }

    private void waitForLog(String name, String text) throws Exception {
        Path log = dir.resolve(name + ".log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            for (Process p : daemons) {
                if (!p.isAlive()) {
                    throw new AssertionError(name + " exited " + p.exitValue() + ": " + Files.readString(log));
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " did not log '" + text + "': " + Files.readString(log));
    }
}
