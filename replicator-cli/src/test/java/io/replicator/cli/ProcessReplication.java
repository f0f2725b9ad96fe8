package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.Role;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A target and a source daemon as real processes on loopback ports, talking mutual TLS with
 * bundles of a CA made for the test, for crash tests: each daemon can be killed with SIGKILL and
 * started again on the same ports and directories. Status comes from the admin endpoints. Not
 * thread-safe: owned by the test thread.
 */
final class ProcessReplication implements AutoCloseable {
    static final String SOURCE_ID = "web1";
    static final String VOLUME_NAME = "disk0";
    private static final long START_TIMEOUT_MS = 30_000;
    private static final long TARGET_SLICE_MS = 20;
    private static final Pattern COMPARED_EQUAL = Pattern.compile("compared every block with the target \\(.*\\): (\\d+) equal");

    final Path dir;
    final Path volume;
    final DaemonProcess target;
    final DaemonProcess source;
    final String sourceAdmin;
    /** The receiver's admin endpoint, {@code 127.0.0.1:PORT}. */
    final String targetAdmin;
    private final AdminClient sourceClient;

    ProcessReplication(Path dir, Path volume) throws IOException {
        this(dir, volume, List.of());
    }

    /** With {@code extraSourceArgs} appended to the source's command line (e.g. {@code --tracker kernel}). */
    ProcessReplication(Path dir, Path volume, List<String> extraSourceArgs) throws IOException {
        this.dir = dir;
        this.volume = volume;
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), 30);
        Path targetBundle = dir.resolve("pki-target");
        Path sourceBundle = dir.resolve("pki-source");
        ca.issue(Role.TARGET, "127.0.0.1", List.of(), 30, targetBundle);
        ca.issue(Role.SOURCE, SOURCE_ID, List.of(), 30, sourceBundle);
        String targetAddress = "127.0.0.1:" + freePort();
        sourceAdmin = "127.0.0.1:" + freePort();
        sourceClient = new AdminClient(new InetSocketAddress("127.0.0.1", Integer.parseInt(
                sourceAdmin.substring(sourceAdmin.indexOf(':') + 1))), null);
        targetAdmin = "127.0.0.1:" + freePort();
        List<String> targetArgs = new ArrayList<>(List.of("target", "--listen", targetAddress,
                "--data-dir", dir.resolve("data").toString(), "--admin", targetAdmin));
        targetArgs.addAll(security(targetBundle));
        List<String> sourceArgs = new ArrayList<>(List.of("source", "--target", targetAddress,
                "--volume", volume + "=" + VOLUME_NAME, "--state-dir", dir.resolve("state").toString(),
                "--id", SOURCE_ID, "--admin", sourceAdmin, "--scan-interval", "1s"));
        sourceArgs.addAll(security(sourceBundle));
        sourceArgs.addAll(extraSourceArgs);
        target = new DaemonProcess("target", dir.resolve("target.log"), targetArgs);
        source = new DaemonProcess("source", dir.resolve("source.log"), sourceArgs);
    }

    /** The daemons' security flags, in one place: mutual TLS 1.3 with the test CA's bundle. */
    static List<String> security(Path bundle) {
        return List.of("--pki", bundle.toString());
    }

    /** The source's default window of bytes sent and not yet durable, as its command line sets it. */
    static long defaultMaxInFlightBytes() {
        SourceCommand command = new SourceCommand();
        new CommandLine(command).parseArgs("--target", "127.0.0.1:1", "--volume", "v", "--state-dir", "s");
        return command.maxInFlightBytes;
    }

    void startTarget() throws IOException, InterruptedException {
        target.start("target receiver listening on", START_TIMEOUT_MS);
    }

    void startSource() throws IOException, InterruptedException {
        source.start("admin endpoint on", START_TIMEOUT_MS);
    }

    /** Blocks the source found equal on the target when it compared every block since its last start. */
    long comparedEqualBlocksSinceStart() throws IOException {
        Matcher m = COMPARED_EQUAL.matcher(source.logSinceStart());
        assertTrue(m.find(), "the source compared every block with the target after the kill");
        return Long.parseLong(m.group(1));
    }

    /** The source's one volume in {@code status --json}. */
    JsonNode volumeStatus() throws IOException {
        return status().path("volumes").get(0);
    }

    JsonNode status() throws IOException {
        return sourceClient.get("/status", 10_000);
    }

    /** Polls the source's status until {@code condition} holds. */
    JsonNode awaitStatus(String what, Predicate<JsonNode> condition, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        JsonNode s = status();
        while (!condition.test(s)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("the source did not reach '" + what + "' within " + timeoutMs + " ms: " + s);
            }
            if (!source.isAlive()) {
                throw new AssertionError("the source exited while waiting for '" + what + "'");
            }
            Thread.sleep(20);
            s = status();
        }
        return s;
    }

    /** Waits until the initial sync is durable and nothing is pending; returns the volume's status. */
    JsonNode awaitInSync(long timeoutMs) throws Exception {
        return awaitStatus("in sync", s -> s.path("connected").asBoolean() && inSync(s.path("volumes").get(0)),
                timeoutMs).path("volumes").get(0);
    }

    /**
     * Waits until the source reports at least {@code bytes} of its volume durable on the target, and
     * returns that status with the target stopped (SIGSTOP). The target runs in slices of
     * {@value #TARGET_SLICE_MS} ms and is stopped while the status is read, so that however fast this
     * machine copies, the copy cannot end between the look and what the caller does next (kill a
     * daemon). The caller kills the target or resumes it ({@link #resumeTarget}).
     */
    JsonNode awaitDurableWithTargetStopped(long bytes, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String pid = String.valueOf(target.pid());
        while (true) {
            Shell.run("kill", "-STOP", pid);
            JsonNode s = status();
            if (s.path("volumes").get(0).path("synced_bytes").asLong() >= bytes) {
                return s;
            }
            Shell.run("kill", "-CONT", pid);
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("the source did not report " + bytes + " bytes durable within " + timeoutMs
                        + " ms: " + s);
            }
            Thread.sleep(TARGET_SLICE_MS);
        }
    }

    /** Lets a target stopped by {@link #awaitDurableWithTargetStopped} run again. */
    void resumeTarget() throws IOException, InterruptedException {
        Shell.run("kill", "-CONT", String.valueOf(target.pid()));
    }

    static boolean inSync(JsonNode v) {
        return v.path("synced_bytes").asLong() == v.path("size_bytes").asLong() && v.path("backlog_bytes").asLong() == 0;
    }

    /** {@code sync --json}: rescans and returns once every change made before it is durable on the target. */
    JsonNode sync() throws IOException {
        CliRun r = CliRun.run("sync", "--admin", sourceAdmin, "--json", "--timeout", "60s");
        assertEquals(0, r.exit(), () -> "sync: " + r.out() + r.err());
        return Json.MAPPER.readTree(r.out());
    }

    /** {@code cutover --json}, then asserts ok, verified, equal checksums and equal bytes. */
    JsonNode cutoverAndAssertEqual() throws IOException {
        CliRun r = CliRun.run("cutover", "--admin", sourceAdmin, "--json", "--timeout", "60s");
        JsonNode c = Json.MAPPER.readTree(r.out());
        assertEquals(0, r.exit(), () -> "cutover: " + r.out() + r.err());
        assertEquals("ok", c.path("result").asText(), c::toString);
        assertTrue(c.path("verified").asBoolean(), c::toString);
        JsonNode v = c.path("volumes").get(0);
        assertEquals(VOLUME_NAME, v.path("name").asText());
        assertTrue(v.path("checksum_source").asText().startsWith("sha256:"), c::toString);
        assertEquals(v.path("checksum_source").asText(), v.path("checksum_target").asText());
        Replication.assertSameBytes(volume, targetImage());
        return c;
    }

    Path targetImage() {
        return dir.resolve("data").resolve(SOURCE_ID).resolve(VOLUME_NAME + ".img");
    }

    /** Both daemons' logs, for a failed test's report. */
    String logs() throws IOException {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("target.log", "source.log")) {
            Path log = dir.resolve(name);
            b.append("----- ").append(log).append(" -----\n")
                    .append(Files.exists(log) ? Files.readString(log) : "(none)\n");
        }
        return b.toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Kills whichever daemon still runs. */
    @Override
    public void close() throws InterruptedException {
        try {
            source.close();
        } finally {
            target.close();
        }
    }
}
