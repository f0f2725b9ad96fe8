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
            assertTrue(unit == null || unit.equals("bytes") || unit.equals("seconds"), meter.getId().getName() + ": "
                    + unit);
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
}
