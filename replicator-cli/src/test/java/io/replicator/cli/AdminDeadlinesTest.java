package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.source.admin.SourceAdmin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's admin endpoint answers {@code status} whatever other requests wait for, and a
 * request whose client gave up or whose deadline passed stops waiting.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminDeadlinesTest {
    @TempDir
    Path dir;

    /** A source in sync with its target, and its admin endpoint on loopback. */
    private Replication inSync() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 4L << 20, 1);
        Replication r = new Replication(dir);
        r.startTarget();
        r.startSource(volume, "disk0");
        r.source.sync().get(60, TimeUnit.SECONDS);
        return r;
    }

    private static AdminServer endpoint(Replication r) throws IOException {
        return SourceAdmin.register(new AdminServer(new InetSocketAddress("127.0.0.1", 0), null), r.source,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start();
    }

    @Test
    void shouldAnswerStatusWithinASecondAfterSyncsWereGivenUpWhileTheTargetWasDown() throws Exception {
        try (Replication r = inSync()) {
            try (AdminServer admin = endpoint(r)) {
                AdminClient client = new AdminClient(admin.address(), null);
                r.target.close();
                for (int i = 0; i < 8; i++) {
                    IOException e = assertThrows(IOException.class, () -> client.post("/sync", Map.of(), 300));
                    assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
                }
                JsonNode status = client.get("/status", 1_000);
                assertEquals("disconnected", status.path("state").asText(), status::toString);
                JsonNode sync = client.post("/sync", Map.of("timeout_ms", 500), 10_000);
                assertEquals("failed", sync.path("result").asText(), sync::toString);
                assertTrue(sync.path("reason").asText().startsWith("not in sync after"), sync::toString);
            }
        }
    }

    @Test
    void shouldRefuseATimeoutOutOfBoundsAndAFreezePathThatIsNoMountPoint() throws Exception {
        try (Replication r = inSync()) {
            try (AdminServer admin = endpoint(r)) {
                AdminClient client = new AdminClient(admin.address(), null);
                JsonNode t = client.post("/cutover", Map.of("timeout_ms", 100L * 86_400_000), 10_000);
                assertTrue(t.path("reason").asText().startsWith("invalid timeout_ms"), t::toString);
                JsonNode f = client.post("/cutover", Map.of("freeze", java.util.List.of(dir.toString())), 10_000);
                assertTrue(f.path("reason").asText().contains("is not a mount point"), f::toString);
                assertEquals("continuous", client.get("/status", 1_000).path("state").asText());
            }
        }
    }

    @Test
    void shouldSayInStatusThatTheAgentStoppedRatherThanShowItsLastFiguresAsCurrent() throws Exception {
        try (Replication r = inSync()) {
            // A volume file cut short under the daemon: its next scan fails and the agent's thread stops.
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("disk0.img"),
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            io.replicator.source.SourceStatus s = r.source.status();
            while (s.lastError() == null || !s.lastError().startsWith("the sync agent stopped")) {
                assertTrue(System.nanoTime() - deadline < 0, "status never said the agent stopped: " + s);
                Thread.sleep(100);
                s = r.source.status();
            }
            assertTrue(s.staleMs() > 0, s::toString);
            assertTrue(!s.connected(), s::toString);
        }
    }
}
