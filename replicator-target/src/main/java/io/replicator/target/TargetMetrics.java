package io.replicator.target;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.target.apply.SourceHistories;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The receiver's meters, registered once in the registry handed in, every one with a description.
 * Prometheus names: unit once at the end, {@code _total} on counters (Micrometer adds it):
 * docs/operations.md lists them. Per source (label {@code source}, registered when it first
 * connects): connected, last seen, durable bytes and sequence, sealed by a cutover, errors by code. Thread-safe:
 * apply threads, force threads and event loops record into it concurrently.
 */
public final class TargetMetrics {
    public static final String BYTES_WRITTEN = "replicator.target.written";
    public static final String FRAMES_APPLIED = "replicator.target.frames.applied";
    public static final String FSYNCS = "replicator.target.fsyncs";
    public static final String FSYNC_LATENCY = "replicator.target.fsync.latency";
    public static final String ACKS_SENT = "replicator.target.acks.sent";
    public static final String ERRORS = "replicator.target.errors";
    public static final String SOURCES_CONNECTED = "replicator.target.sources.connected";
    public static final String CONNECTIONS_REFUSED = "replicator.target.connections.refused";
    public static final String SOURCE_CONNECTED = "replicator.target.source.connected";
    public static final String SOURCE_LAST_SEEN = "replicator.target.source.last.seen.timestamp";
    public static final String SOURCE_DURABLE_BYTES = "replicator.target.source.durable";
    public static final String SOURCE_DURABLE_SEQUENCE = "replicator.target.source.durable.sequence";
    public static final String SOURCE_ERRORS = "replicator.target.source.errors";
    public static final String SOURCE_SEALED = "replicator.target.source.sealed";
    public static final String JOURNAL_BYTES = "replicator.journal.bytes";
    public static final String JOURNAL_HISTORY_RATIO = "replicator.journal.history.ratio";
    public static final String JOURNAL_HISTORY_SHORT = "replicator.journal.history.short";
    public static final String JOURNAL_UNDO_WRITTEN = "replicator.journal.undo.written";
    /** Why a connection was closed before it authenticated: the tag values of {@link #CONNECTIONS_REFUSED}. */
    public static final java.util.List<String> REFUSAL_REASONS = java.util.List.of("limit", "tls", "timeout");

    private final Counter bytesWritten;
    private final Counter framesApplied;
    private final Counter fsyncs;
    private final Timer fsyncLatency;
    private final Counter acksSent;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final AtomicInteger sourcesConnected = new AtomicInteger();
    private final Map<String, Counter> refusals = new java.util.HashMap<>();
    private final MeterRegistry registry;
    private final Map<String, SourceMeters> sources = new ConcurrentHashMap<>();
    private volatile Predicate<String> sealed = id -> false;
    private volatile SourceHistories histories;
    private final Counter undoWritten;

    /** One source's figures: connection state and last contact guarded by this; the counter is Micrometer's. */
    private static final class SourceMeters {
        private int sessions;
        private long lastSeenMs;
        private final AtomicLong durableSequence = new AtomicLong();
        Counter durableBytes;

        synchronized double connected() {
            return sessions > 0 ? 1 : 0;
        }

        synchronized double lastSeenSeconds() {
            return (sessions > 0 ? System.currentTimeMillis() : lastSeenMs) / 1000.0;
        }

        synchronized void session(int delta) {
            sessions += delta;
            lastSeenMs = System.currentTimeMillis();
        }
    }

    public TargetMetrics(MeterRegistry registry) {
        this.registry = registry;
        // A receiver started again in the same process: its sources' meters follow the new one.
        registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("replicator.target.source.")
                || m.getId().getName().startsWith("replicator.journal.")).toList().forEach(registry::remove);
        undoWritten = Counter.builder(JOURNAL_UNDO_WRITTEN).baseUnit("bytes").description("Old contents of volume "
                + "blocks copied into the sources' undo queues before their first write after a checkpoint")
                .register(registry);
        bytesWritten = Counter.builder(BYTES_WRITTEN).description("Plain bytes written onto target volumes")
                .baseUnit("bytes").register(registry);
        framesApplied = Counter.builder(FRAMES_APPLIED).description("Block frames written onto target volumes")
                .register(registry);
        fsyncs = Counter.builder(FSYNCS).description("Forces of target volumes to stable storage")
                .register(registry);
        fsyncLatency = Timer.builder(FSYNC_LATENCY).description("Time one force of a target volume took")
                .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofNanos(100_000))
                .maximumExpectedValue(java.time.Duration.ofSeconds(30)).register(registry);
        acksSent = Counter.builder(ACKS_SENT).description("Acks sent after a group commit made frames durable")
                .register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, Counter.builder(ERRORS).description("Error frames sent to sources, by error code")
                    .tag("code", code.name()).register(registry));
        }
        for (String reason : REFUSAL_REASONS) {
            refusals.put(reason, Counter.builder(CONNECTIONS_REFUSED).description("Connections closed before they "
                    + "authenticated: over a limit on waiting connections (in all or per address prefix), a failed TLS "
                    + "handshake, or no HELLO in time")
                    .tag("reason", reason).register(registry));
        }
        Gauge previous = registry.find(SOURCES_CONNECTED).gauge();
        if (previous != null) {
            // A receiver restarted in the same process: the gauge follows the new one.
            registry.remove(previous);
        }
        Gauge.builder(SOURCES_CONNECTED, sourcesConnected, AtomicInteger::get)
                .description("Sources connected now").register(registry);
    }

    /** The sources' histories, read by the journal gauges. */
    public void histories(SourceHistories sourceHistories) {
        this.histories = sourceHistories;
    }

    /** {@code bytes} of old contents went into an undo queue. */
    public void undoBytes(long bytes) {
        undoWritten.increment(bytes);
    }

    private double history(String id, java.util.function.ToDoubleFunction<SourceHistories.History> value,
                           double none) {
        SourceHistories h = histories;
        if (h == null) {
            return none;
        }
        try {
            return h.find(id).map(value::applyAsDouble).orElse(none);
        } catch (java.io.IOException | RuntimeException e) {
            return none;
        }
    }

    public void bytesWritten(long bytes) {
        bytesWritten.increment(bytes);
    }

    public void frameApplied() {
        framesApplied.increment();
    }

    public void fsync(long durationNs) {
        fsyncs.increment();
        fsyncLatency.record(durationNs, TimeUnit.NANOSECONDS);
    }

    public void ackSent() {
        acksSent.increment();
    }

    public void error(ErrorCode code) {
        errors.get(code).increment();
    }

    /** A connection closed before it authenticated; {@code reason} is one of {@link #REFUSAL_REASONS}. */
    public void connectionRefused(String reason) {
        Counter c = refusals.get(reason);
        if (c == null) {
            throw new IllegalArgumentException("unknown refusal reason '" + reason + "' (expected: one of "
                    + REFUSAL_REASONS + ")");
        }
        c.increment();
    }

    /** An error frame with {@code code} was sent to source {@code id}, which had passed its handshake. */
    public void sourceError(String id, ErrorCode code) {
        Counter.builder(SOURCE_ERRORS).description("Error frames sent to a source after its handshake, by error code")
                .tag("source", id).tag("code", code.name()).register(registry).increment();
    }

    /** Says, from any thread, whether a source is sealed by a cutover now; read at each scrape. */
    public void sealedBy(Predicate<String> sealed) {
        this.sealed = sealed;
    }

    /** Source {@code id}'s session is open (it passed its handshake). */
    public void sourceConnected(String id) {
        sourcesConnected.incrementAndGet();
        source(id).session(1);
    }

    public void sourceDisconnected(String id) {
        sourcesConnected.decrementAndGet();
        source(id).session(-1);
    }

    /** A force made {@code bytes} more of source {@code id} durable, up to {@code sequence}. */
    public void durable(String id, long bytes, long sequence) {
        SourceMeters m = source(id);
        m.durableBytes.increment(bytes);
        m.durableSequence.set(sequence);
    }

    private SourceMeters source(String id) {
        return sources.computeIfAbsent(id, this::register);
    }

    private SourceMeters register(String id) {
        SourceMeters m = new SourceMeters();
        Gauge.builder(SOURCE_CONNECTED, m, SourceMeters::connected).tag("source", id)
                .description("1 while the source has a session open, else 0").register(registry);
        Gauge.builder(SOURCE_LAST_SEEN, m, SourceMeters::lastSeenSeconds).baseUnit("seconds").tag("source", id)
                .description("Unix time the source was last connected (now while it is)").register(registry);
        m.durableBytes = Counter.builder(SOURCE_DURABLE_BYTES).baseUnit("bytes").tag("source", id)
                .description("Bytes of the source's blocks made durable here (forced to stable storage and acked)")
                .register(registry);
        Gauge.builder(SOURCE_DURABLE_SEQUENCE, m.durableSequence, AtomicLong::get).tag("source", id)
                .description("Highest sequence of the source durable here").register(registry);
        Gauge.builder(SOURCE_SEALED, this, t -> t.sealed.test(id) ? 1 : 0).tag("source", id)
                .description("1 while the source is sealed by its cutover (nothing more is taken from it until "
                        + "released), else 0").register(registry);
        Gauge.builder(JOURNAL_BYTES, this, t -> t.history(id, SourceHistories.History::journalBytes, 0))
                .tag("source", id).description("Bytes the source's journal uses on the journal disk (redo not yet "
                        + "applied and undo history kept)").register(registry);
        Gauge.builder(JOURNAL_HISTORY_RATIO, this, t -> t.history(id, SourceHistories.History::historyRatio, 1))
                .tag("source", id).description("History held (from the oldest launchable checkpoint to now) over "
                        + "the history asked (--retain, or the journal's age while younger); 1 when nothing is asked")
                .register(registry);
        Gauge.builder(JOURNAL_HISTORY_SHORT, this, t -> t.history(id, hs -> hs.historyShort() ? 1 : 0, 0))
                .tag("source", id).description("1 while the source's history is shorter than asked (pruned for "
                        + "size, or a gap), else 0").register(registry);
        return m;
    }
}
