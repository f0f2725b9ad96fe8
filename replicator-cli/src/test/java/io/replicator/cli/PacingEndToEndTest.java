package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.source.PacingStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-cpu} end to end: real daemon processes (mutual TLS, loopback), the source started
 * with a bound of 1% of the machine that its copy and a busy volume's changes exceed, so that it
 * paces; {@code status}, {@code status --json} (with the full-speed rate it measured and the
 * time that rate takes to send the backlog) and {@code /metrics} say so, and once the writes
 * stop a sync still drains everything and the copy equals the volume.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PacingEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void shouldShowMaxCpuAndPacingInStatusJsonAndMetricsAndStillConverge() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 64L << 20, 9);
        try (ProcessReplication r = new ProcessReplication(dir, volume,
                List.of("--max-cpu", "1", "--max-pacing-lag", "3s"))) {
            r.startTarget();
            r.startSource();
            JsonNode paced;
            try (Replication.Writer writer = new Replication.Writer(volume, 17)) {
                // Pacing with a full-speed rate measured: from the first paced second on, if not before.
                paced = r.awaitStatus("pacing", s -> "pacing".equals(s.path("pacing").path("state").asText())
                        && s.path("pacing").path("full_speed_bytes_per_second").isIntegralNumber(), 180_000);
                CliRun human = CliRun.run("status", "--admin", r.sourceAdmin);
                assertEquals(0, human.exit(), human.err());
                assertTrue(human.out().contains("adaptive pacing: ") && human.out().contains("(--max-cpu 1%, "
                        + "--max-pacing-lag 3000 ms): "), human.out());
                // The metrics follow the status once a second: wait for a sample with the CPU measured.
                Exposition metrics = Exposition.scrape(r.sourceAdmin);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (Double.isNaN(metrics.single("replicator_source_cpu_ratio")) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    metrics = Exposition.scrape(r.sourceAdmin);
                }
                double states = 0;
                for (String s : PacingStatus.STATES) {
                    states += metrics.stateValue("replicator_source_pacing_state", s);
                }
                assertEquals(1.0, states, "one pacing state series is 1");
                assertEquals(0.0, metrics.stateValue("replicator_source_pacing_state", "off"));
                double cpu = metrics.single("replicator_source_cpu_ratio");
                assertTrue(cpu >= 0 && cpu <= 1, "the daemon's CPU as a share of the machine: " + cpu);
            }
            JsonNode pacing = paced.path("pacing");
            assertEquals(1, pacing.path("max_cpu_percent").asInt());
            assertEquals(3000, pacing.path("max_lag_ms").asLong());
            assertTrue(pacing.path("rate_bytes_per_second").asLong() >= 1 << 20, pacing.toString());
            assertTrue(pacing.path("cpu_percent").isInt(), pacing.toString());
            assertTrue(pacing.path("full_speed_bytes_per_second").asLong() > 0, pacing.toString());
            assertTrue(pacing.path("drain_ms").isIntegralNumber(), "the backlog looked at while pacing: " + pacing);
            String reason = pacing.path("reason").asText();
            assertTrue(reason.contains("over --max-cpu 1%: sending paced to") || reason.contains("waiting: pace raised to"),
                    "paced for the CPU, or the pace raised with the lag: " + pacing);
            assertFalse(paced.path("paused").asBoolean());

            r.sync();
            Replication.assertSameBytes(volume, r.targetImage());
        }
    }
}
