package io.replicator.source;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.replicator.protocol.wire.Encoding;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source daemon's meters, registered on the registry handed in. Updated by the sync agent's
 * thread; Micrometer's meters are thread-safe to read.
 */
public final class SourceMetrics {
    private final Counter readBytes;
    private final Counter payloadBytes;
    private final Map<Encoding, Counter> plainBytesByEncoding = new EnumMap<>(Encoding.class);
    private final Counter passes;
    private final Counter changedBlocks;
    private final Counter eventLosses;
    private final AtomicLong durableSequence = new AtomicLong();

    public SourceMetrics(MeterRegistry registry) {
        readBytes = Counter.builder("replicator.source.read").baseUnit("bytes")
                .description("Bytes read from the source volumes (scans, sends and verification)").register(registry);
        payloadBytes = Counter.builder("replicator.source.sent.payload").baseUnit("bytes")
                .description("Block payload bytes put on the wire, after compression").register(registry);
        for (Encoding e : Encoding.values()) {
            plainBytesByEncoding.put(e, Counter.builder("replicator.source.sent.plain").baseUnit("bytes")
                    .tag("encoding", e.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Plain block bytes sent, by how they were encoded").register(registry));
        }
        passes = Counter.builder("replicator.source.passes").baseUnit("passes")
                .description("Completed scans over every block of every volume").register(registry);
        changedBlocks = Counter.builder("replicator.source.changed.blocks").baseUnit("blocks")
                .description("Blocks a scan found different from what the target holds").register(registry);
        eventLosses = Counter.builder("replicator.source.tracker.losses").baseUnit("losses")
                .description("Times the kernel tracker lost block events and a rescan was started").register(registry);
        registry.gauge("replicator.source.durable.sequence", durableSequence);
    }

    public void read(long bytes) {
        readBytes.increment(bytes);
    }

    public void sent(Encoding encoding, int plainBytes, int payload) {
        plainBytesByEncoding.get(encoding).increment(plainBytes);
        payloadBytes.increment(payload);
    }

    public void passFinished(long changed) {
        passes.increment();
        changedBlocks.increment(changed);
    }

    public void eventLoss() {
        eventLosses.increment();
    }

    public void acknowledged(long sequence) {
        durableSequence.set(sequence);
    }
}
