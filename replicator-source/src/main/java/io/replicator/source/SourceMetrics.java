package io.replicator.source;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.replicator.protocol.wire.Encoding;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source daemon's meters, registered on the registry handed in, every one with a description
 * and labelled {@code source} (and {@code volume} where it is a volume's). Prometheus names: unit
 * once at the end, {@code _total} on counters (Micrometer adds it): docs/operations.md lists them.
 * Counters are counted where the work is done (the sync agent's thread); the figures of
 * {@link SourceStatus} (state, lag, backlog, ...) are set from a status sampled once a second
 * ({@link #sample}), which also feeds the lag histogram. Thread-safe: the fields read by Micrometer
 * are atomic or volatile.
 */
public final class SourceMetrics {
    /** Buckets of the lag histogram, in seconds: from "in step" to "an hour behind". */
    static final double[] LAG_BUCKETS_SECONDS = {0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

    private final Counter readBytes;
    private final Counter payloadBytes;
    private final Map<Encoding, Counter> plainBytesByEncoding = new EnumMap<>(Encoding.class);
    private final Counter passes;
    private final Counter changedBlocks;
    private final Counter eventLosses;
    private final Counter reconnects;
    private final AtomicLong durableSequence = new AtomicLong();
    private final Map<String, VolumeMeters> volumes = new LinkedHashMap<>();
    private volatile SourceState state = SourceState.CONNECTING;
    private volatile boolean connected;
    private volatile FlowStatus flow = new FlowStatus(false, null, "none");
    private volatile PacingStatus pacing = PacingStatus.off(0);

    /** Meters of one volume; the sampled figures are written by the sampler, read by scrapes. */
    private static final class VolumeMeters {
        volatile double lagSeconds;
        volatile long backlogBytes;
        volatile long syncedBytes;
        volatile long sizeBytes;
        volatile long sentBytes;
        volatile long unreplicatedBytes;
        volatile long writeBytesPerSecond;
        volatile long sendBytesPerSecond;
        volatile double initialSyncEtaSeconds = Double.NaN;
        volatile double catchUpSeconds = Double.NaN;
        volatile boolean converging = true;
        Counter rescannedBytes;
        DistributionSummary lagObserved;
    }

    /** Meters of source {@code id} with volumes {@code volumeNames}. */
    public SourceMetrics(MeterRegistry registry, String id, List<String> volumeNames) {
        // A source started again in the same process (tests, the demo): its meters follow the new one.
        registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("replicator.source.")
                && id.equals(m.getId().getTag("source"))).toList().forEach(registry::remove);
        Tags source = Tags.of("source", id);
        readBytes = Counter.builder("replicator.source.read").baseUnit("bytes").tags(source)
                .description("Bytes read from the source volumes (scans, sends and verification)").register(registry);
        payloadBytes = Counter.builder("replicator.source.sent.payload").baseUnit("bytes").tags(source)
                .description("Block payload bytes put on the wire, after compression").register(registry);
        for (Encoding e : Encoding.values()) {
            plainBytesByEncoding.put(e, Counter.builder("replicator.source.sent.plain").baseUnit("bytes").tags(source)
                    .tag("encoding", e.name().toLowerCase(Locale.ROOT))
                    .description("Plain block bytes sent, by how they were encoded").register(registry));
        }
        passes = Counter.builder("replicator.source.scan.passes").tags(source)
                .description("Completed scans over every block of every volume").register(registry);
        changedBlocks = Counter.builder("replicator.source.changed.blocks").tags(source)
                .description("Blocks a scan found different from what the target holds").register(registry);
        eventLosses = Counter.builder("replicator.source.tracker.losses").tags(source)
                .description("Times the kernel tracker lost block events and a rescan was started").register(registry);
        reconnects = Counter.builder("replicator.source.reconnects").tags(source)
                .description("Times the connection to the target was lost after a handshake and the source "
                        + "began to reconnect").register(registry);
        Gauge.builder("replicator.source.durable.sequence", durableSequence, AtomicLong::get).tags(source)
                .description("Highest sequence the target acknowledged as durable").register(registry);
        Gauge.builder("replicator.source.connected", this, m -> m.connected ? 1 : 0).tags(source)
                .description("1 while a session with the target is up, else 0").register(registry);
        Gauge.builder("replicator.source.paused", this, m -> m.flow.paused() ? 1 : 0).tags(source)
                .description("1 while the admin has paused sending (changes are tracked, nothing is sent), else 0")
                .register(registry);
        Gauge.builder("replicator.source.max.rate", this, SourceMetrics::maxRate).baseUnit("bytes_per_second")
                .tags(source).description("The bandwidth limit in force on bytes on the wire; +Inf when there is none")
                .register(registry);
        for (String origin : FlowStatus.ORIGINS) {
            Gauge.builder("replicator.source.max.rate.origin", this, m -> origin.equals(m.flow.maxRateOrigin()) ? 1 : 0)
                    .tags(source).tag("origin", origin)
                    .description("1 for where the limit in force comes from (label origin: none, max_rate, schedule, "
                            + "throttle), 0 for the others").register(registry);
        }
        pacingMeters(registry, source);
        for (String name : volumeNames) {
            volumes.put(name, volumeMeters(registry, source.and("volume", name)));
        }
    }

    /** Adaptive pacing: its limit, its state, and the daemon's CPU as it measures it. */
    private void pacingMeters(MeterRegistry registry, Tags source) {
        Gauge.builder("replicator.source.pacing.rate", this, m -> m.pacing.rateBytesPerSecond() == null
                        ? Double.POSITIVE_INFINITY : m.pacing.rateBytesPerSecond()).baseUnit("bytes_per_second")
                .tags(source).description("Adaptive pacing's limit on bytes on the wire (--max-cpu); +Inf while it "
                        + "does not pace").register(registry);
        for (String s : PacingStatus.STATES) {
            Gauge.builder("replicator.source.pacing.state", this, m -> s.equals(m.pacing.state()) ? 1 : 0)
                    .tags(source).tag("state", s)
                    .description("1 for what adaptive pacing does now (label state: off, full_speed, pacing, "
                            + "lag_bound, cutover), 0 for the others").register(registry);
        }
        Gauge.builder("replicator.source.cpu.ratio", this, m -> m.pacing.cpuPercent() == null ? Double.NaN
                        : m.pacing.cpuPercent() / 100.0).tags(source)
                .description("The daemon's share of the machine's CPU over the last second, 0 to 1, as adaptive "
                        + "pacing measures it; NaN when pacing is off").register(registry);
    }

    private VolumeMeters volumeMeters(MeterRegistry registry, Tags tags) {
        VolumeMeters v = new VolumeMeters();
        for (SourceState s : SourceState.values()) {
            Gauge.builder("replicator.source.state", this, m -> m.state == s ? 1 : 0).tags(tags)
                    .tag("state", s.toString())
                    .description("1 for the state the source is in (label state), 0 for every other state")
                    .register(registry);
        }
        Gauge.builder("replicator.source.lag", v, m -> m.lagSeconds).baseUnit("seconds").tags(tags)
                .description("Age of the oldest change not yet durable on the target").register(registry);
        v.lagObserved = DistributionSummary.builder("replicator.source.lag.observed").baseUnit("seconds").tags(tags)
                .serviceLevelObjectives(LAG_BUCKETS_SECONDS)
                .description("The lag, observed once a second").register(registry);
        Gauge.builder("replicator.source.backlog", v, m -> m.backlogBytes).baseUnit("bytes").tags(tags)
                .description("Bytes known changed and not yet durable on the target").register(registry);
        Gauge.builder("replicator.source.synced", v, m -> m.syncedBytes).baseUnit("bytes").tags(tags)
                .description("Bytes of the initial copy durable on the target; reaches the size when it is done")
                .register(registry);
        Gauge.builder("replicator.source.size", v, m -> m.sizeBytes).baseUnit("bytes").tags(tags)
                .description("Size of the volume").register(registry);
        FunctionCounter.builder("replicator.source.volume.sent", v, m -> m.sentBytes).baseUnit("bytes").tags(tags)
                .description("Payload bytes of the volume put on the wire since the daemon started (its rate is "
                        + "the send rate)").register(registry);
        Gauge.builder("replicator.source.unreplicated", v, m -> m.unreplicatedBytes).baseUnit("bytes").tags(tags)
                .description("Bytes written to the volume after its cutover, and so not replicated (status "
                        + "written_since_bytes; 0 unless cut over)").register(registry);
        Gauge.builder("replicator.source.write.rate", v, m -> m.writeBytesPerSecond).baseUnit("bytes_per_second")
                .tags(tags).description("How fast blocks of the volume change, averaged over the last seconds")
                .register(registry);
        Gauge.builder("replicator.source.send.rate", v, m -> m.sendBytesPerSecond).baseUnit("bytes_per_second")
                .tags(tags).description("How fast changes of the volume are sent (plain bytes), averaged over the last "
                        + "seconds").register(registry);
        Gauge.builder("replicator.source.initial.sync.eta", v, m -> m.initialSyncEtaSeconds).baseUnit("seconds")
                .tags(tags).description("Time left for the initial copy at the send rate: 0 once done, NaN while "
                        + "nothing was measured").register(registry);
        Gauge.builder("replicator.source.catch.up", v, m -> m.catchUpSeconds).baseUnit("seconds").tags(tags)
                .description("Time to send the backlog while writes go on at their rate: 0 with no backlog, +Inf "
                        + "when writes are as fast as sends").register(registry);
        Gauge.builder("replicator.source.volume.converging", v, m -> m.converging ? 1 : 0).tags(tags)
                .description("0 once the volume's backlog grows because writes outpace sends (not_converging), "
                        + "else 1").register(registry);
        v.rescannedBytes = Counter.builder("replicator.source.rescanned").baseUnit("bytes").tags(tags)
                .description("Bytes reread by rescans (lost kernel events, an unclean stop, a damaged state file)")
                .register(registry);
        return v;
    }

    /**
     * Takes the figures of a status: state, connection and, per volume, lag, backlog, synced, size, sent
     * and what was written since the cutover ({@code written_since_bytes}: 0 again once released).
     */
    public void sample(SourceStatus status) {
        state = status.state();
        connected = status.connected();
        if (status.flow() != null) {
            flow = status.flow();
        }
        if (status.pacing() != null) {
            pacing = status.pacing();
        }
        for (VolumeStatus s : status.volumes()) {
            VolumeMeters v = volumes.get(s.name());
            if (v == null) {
                continue;
            }
            v.lagSeconds = s.lagMs() / 1000.0;
            v.lagObserved.record(v.lagSeconds);
            v.backlogBytes = s.backlogBytes();
            v.syncedBytes = s.syncedBytes();
            v.sizeBytes = s.sizeBytes();
            v.sentBytes = s.sentBytes();
            v.unreplicatedBytes = s.writtenSinceBytes();
            v.writeBytesPerSecond = s.writeBytesPerSecond();
            v.sendBytesPerSecond = s.sendBytesPerSecond();
            v.initialSyncEtaSeconds = s.initialSyncEtaMs() == null ? Double.NaN : s.initialSyncEtaMs() / 1000.0;
            v.catchUpSeconds = s.catchUpMs() == null ? Double.POSITIVE_INFINITY : s.catchUpMs() / 1000.0;
            v.converging = s.converging();
        }
    }

    private double maxRate() {
        Long rate = flow.maxRateBytesPerSecond();
        return rate == null ? Double.POSITIVE_INFINITY : rate;
    }

    public void read(long bytes) {
        readBytes.increment(bytes);
    }

    /** A rescan reread {@code bytes} of {@code volume}. */
    public void rescanned(String volume, long bytes) {
        VolumeMeters v = volumes.get(volume);
        if (v != null) {
            v.rescannedBytes.increment(bytes);
        }
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

    public void connectionLost() {
        reconnects.increment();
    }

    public void acknowledged(long sequence) {
        durableSequence.set(sequence);
    }
}
