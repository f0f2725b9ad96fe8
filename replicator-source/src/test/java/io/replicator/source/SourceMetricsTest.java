package io.replicator.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The source's meters on a {@link SimpleMeterRegistry}: described, labelled, and set from a sampled status. */
class SourceMetricsTest {
    private static SourceStatus status(SourceState state, boolean connected, long lagMs) {
        return new SourceStatus("web1", state, "scan", "test", null, "127.0.0.1:7700", connected, null, 7,
                List.of(new VolumeStatus("root", "/dev/sda", 1 << 20, 4096, 1 << 19, 4096, 8192, lagMs, 0)), null, 0,
                0, List.of());
    }

    @Test
    void shouldHaveOneStateSeriesPerSourceStateAndSetTheCurrentOneTo1() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SourceMetrics metrics = new SourceMetrics(registry, "web1", List.of("root", "data"));
        metrics.sample(status(SourceState.INITIAL_SYNC, true, 2500));
        for (String volume : List.of("root", "data")) {
            for (SourceState s : SourceState.values()) {
                assertEquals(s == SourceState.INITIAL_SYNC ? 1.0 : 0.0, registry.get("replicator.source.state")
                        .tags("source", "web1", "volume", volume, "state", s.toString()).gauge().value(), volume + " " + s);
            }
        }
        metrics.sample(status(SourceState.DISCONNECTED, false, 0));
        assertEquals(1.0, registry.get("replicator.source.state").tags("volume", "root", "state", "disconnected")
                .gauge().value());
        assertEquals(0.0, registry.get("replicator.source.connected").gauge().value());
    }

    @Test
    void shouldTakeEachVolumesFiguresFromTheStatusAndObserveTheLag() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SourceMetrics metrics = new SourceMetrics(registry, "web1", List.of("root"));
        metrics.sample(status(SourceState.CONTINUOUS, true, 2500));
        metrics.sample(status(SourceState.CONTINUOUS, true, 500));
        assertEquals(0.5, registry.get("replicator.source.lag").tag("volume", "root").gauge().value());
        assertEquals(2, registry.get("replicator.source.lag.observed").summary().count());
        assertEquals(3.0, registry.get("replicator.source.lag.observed").summary().totalAmount(), 1e-9);
        assertEquals(1 << 20, registry.get("replicator.source.size").gauge().value());
        assertEquals(1 << 19, registry.get("replicator.source.synced").gauge().value());
        assertEquals(4096, registry.get("replicator.source.backlog").gauge().value());
        assertEquals(8192, registry.get("replicator.source.volume.sent").functionCounter().count());
        assertEquals(1.0, registry.get("replicator.source.connected").gauge().value());
        metrics.rescanned("root", 4096);
        metrics.rescanned("unknown", 4096);
        assertEquals(4096, registry.get("replicator.source.rescanned").counter().count());
    }

    @Test
    void shouldDescribeEveryMeterWithABaseUnitOrNone() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new SourceMetrics(registry, "web1", List.of("root"));
        for (Meter meter : registry.getMeters()) {
            if (meter.getId().syntheticAssociation() != null) {
                continue; // the simple registry's view of the lag histogram's buckets
            }
            assertNotNull(meter.getId().getDescription(), meter.getId().getName());
            assertEquals("web1", meter.getId().getTag("source"), meter.getId().getName());
            String unit = meter.getId().getBaseUnit();
            assertTrue(unit == null || List.of("bytes", "seconds", "bytes_per_second").contains(unit),
                    meter.getId().getName() + ": " + unit);
        }
    }

    @Test
    void shouldFollowASourceStartedAgainInTheSameRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new SourceMetrics(registry, "web1", List.of("root")).sample(status(SourceState.CONTINUOUS, true, 0));
        SourceMetrics again = new SourceMetrics(registry, "web1", List.of("root"));
        again.sample(status(SourceState.RESCAN, true, 0));
        assertEquals(1.0, registry.get("replicator.source.state").tags("volume", "root", "state", "rescan").gauge().value());
    }

    @Test
    void shouldExportTheForecastThePauseAndTheLimitInForce() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SourceMetrics metrics = new SourceMetrics(registry, "web1", List.of("root"));
        assertEquals(Double.POSITIVE_INFINITY, registry.get("replicator.source.max.rate").gauge().value());
        VolumeStatus behind = new VolumeStatus("root", "/dev/sda", 1 << 20, 4096, 1 << 20, 1 << 20, 8192, 900, 0,
                0, 3_000_000, 2_000_000, 0L, null, false, "writes 3 MB/s, sends 2 MB/s");
        metrics.sample(new SourceStatus("web1", SourceState.NOT_CONVERGING, "scan", "test", null, "127.0.0.1:7700", true,
                null, 7, List.of(behind), null, 0, 0, List.of(), null, new FlowStatus(false, 2_000_000L, "schedule")));
        assertEquals(3_000_000, registry.get("replicator.source.write.rate").tag("volume", "root").gauge().value());
        assertEquals(2_000_000, registry.get("replicator.source.send.rate").tag("volume", "root").gauge().value());
        assertEquals(0, registry.get("replicator.source.initial.sync.eta").gauge().value());
        assertEquals(Double.POSITIVE_INFINITY, registry.get("replicator.source.catch.up").gauge().value());
        assertEquals(0, registry.get("replicator.source.volume.converging").gauge().value());
        assertEquals(2_000_000, registry.get("replicator.source.max.rate").gauge().value());
        for (String origin : FlowStatus.ORIGINS) {
            assertEquals(origin.equals("schedule") ? 1 : 0, registry.get("replicator.source.max.rate.origin")
                    .tag("origin", origin).gauge().value(), origin);
        }
        assertEquals(0, registry.get("replicator.source.paused").gauge().value());

        VolumeStatus copying = new VolumeStatus("root", "/dev/sda", 1 << 20, 4096, 1 << 19, 0, 8192, 0, 0,
                0, 0, 0, null, 0L, true, "");
        metrics.sample(new SourceStatus("web1", SourceState.PAUSED, "scan", "test", null, "127.0.0.1:7700", true,
                null, 7, List.of(copying), null, 0, 0, List.of(), null, new FlowStatus(true, null, "none")));
        assertEquals(Double.NaN, registry.get("replicator.source.initial.sync.eta").gauge().value());
        assertEquals(0, registry.get("replicator.source.catch.up").gauge().value());
        assertEquals(1, registry.get("replicator.source.volume.converging").gauge().value());
        assertEquals(1, registry.get("replicator.source.paused").gauge().value());
        assertEquals(Double.POSITIVE_INFINITY, registry.get("replicator.source.max.rate").gauge().value());
        assertEquals(1, registry.get("replicator.source.max.rate.origin").tag("origin", "none").gauge().value());
    }
}
