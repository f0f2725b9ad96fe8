package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replicator.protocol.wire.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetMetricsTest {
    @TempDir
    Path dataDir;

    /** Prometheus conventions: a base unit (bytes, seconds) or none for a count, never a count's noun twice. */
    @Test
    void shouldDescribeEveryMeterWithABaseUnitOrNone() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TargetMetrics metrics = new TargetMetrics(registry);
        metrics.sourceConnected("web1");
        metrics.durable("web1", 4096, 1);
        assertEquals(1.0, registry.get(TargetMetrics.SOURCE_CONNECTED).tag("source", "web1").gauge().value());
        assertEquals(4096.0, registry.get(TargetMetrics.SOURCE_DURABLE_BYTES).tag("source", "web1").counter().count());
        for (Meter meter : registry.getMeters()) {
            assertNotNull(meter.getId().getDescription(), meter.getId().getName());
            String unit = meter.getId().getBaseUnit();
            assertTrue(unit == null || unit.equals("bytes") || unit.equals("seconds"), meter.getId().getName() + ": "
                    + unit);
        }
        metrics.sourceError("web1", ErrorCode.IO_ERROR);
        assertEquals(1.0, registry.get(TargetMetrics.SOURCE_ERRORS).tags("source", "web1", "code", "IO_ERROR").counter()
                .count());
        metrics.sourceDisconnected("web1");
        assertEquals(0.0, registry.get(TargetMetrics.SOURCE_CONNECTED).tag("source", "web1").gauge().value());
    }

    @Test
    void shouldCountWritesFsyncsAcksErrorsAndConnectedSources() throws IOException, InterruptedException {
        try (TargetFixture target = new TargetFixture(dataDir)) {
            SimpleMeterRegistry meters = target.meters;
            try (TestSource source = target.connect()) {
                source.hello("web1", DISK0);
                assertEquals(1.0, meters.get(TargetMetrics.SOURCES_CONNECTED).gauge().value());
                source.send(target.block(0, 1, 0, TargetFixture.random(1, BLOCK)));
                source.send(target.block(0, 2, BLOCK, TargetFixture.random(2, BLOCK)));
                source.awaitAck(2);
                assertEquals(2.0 * BLOCK, meters.get(TargetMetrics.BYTES_WRITTEN).counter().count());
                assertEquals(2.0, meters.get(TargetMetrics.FRAMES_APPLIED).counter().count());
                double fsyncs = meters.get(TargetMetrics.FSYNCS).counter().count();
                assertTrue(fsyncs >= 1, "fsyncs " + fsyncs);
                assertEquals((long) fsyncs, meters.get(TargetMetrics.FSYNC_LATENCY).timer().count());
                // The force thread counts an ack right after writing it: the ack can arrive first.
                while (meters.get(TargetMetrics.ACKS_SENT).counter().count() < 1) {
                    Thread.sleep(10);
                }
                source.send(target.block(0, 2, 0, TargetFixture.random(3, BLOCK)));
                source.expectError(ErrorCode.BAD_SEQUENCE);
            }
            assertEquals(1.0, meters.get(TargetMetrics.ERRORS).tag("code", "BAD_SEQUENCE").counter().count());
            assertEquals(0.0, meters.get(TargetMetrics.ERRORS).tag("code", "IO_ERROR").counter().count());
            while (meters.get(TargetMetrics.SOURCES_CONNECTED).gauge().value() != 0.0) {
                Thread.sleep(10);
            }
        }
    }
}
