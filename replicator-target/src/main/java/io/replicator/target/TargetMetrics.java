package io.replicator.target;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.replicator.protocol.wire.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The receiver's meters, registered once in the registry handed in. Thread-safe: apply threads and
 * event loops record into it concurrently.
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

    public TargetMetrics(MeterRegistry registry) {
        bytesWritten = Counter.builder(BYTES_WRITTEN).description("Plain bytes written onto target volumes")
                .baseUnit("bytes").register(registry);
        framesApplied = Counter.builder(FRAMES_APPLIED).description("Block frames written onto target volumes")
                .baseUnit("frames").register(registry);
        fsyncs = Counter.builder(FSYNCS).description("Forces of target volumes to stable storage")
                .baseUnit("fsyncs").register(registry);
        fsyncLatency = Timer.builder(FSYNC_LATENCY).description("Time one force of a target volume took")
                .register(registry);
        acksSent = Counter.builder(ACKS_SENT).description("Acks sent after a group commit made frames durable")
                .baseUnit("acks").register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, Counter.builder(ERRORS).description("Error frames sent to sources, by error code")
                    .baseUnit("errors").tag("code", code.name()).register(registry));
        }
        for (String reason : REFUSAL_REASONS) {
            refusals.put(reason, Counter.builder(CONNECTIONS_REFUSED).description("Connections closed before they "
                    + "authenticated: over a limit on waiting connections (in all or per address prefix), a failed TLS "
                    + "handshake, or no HELLO in time")
                    .baseUnit("connections").tag("reason", reason).register(registry));
        }
        Gauge previous = registry.find(SOURCES_CONNECTED).gauge();
        if (previous != null) {
            // A receiver restarted in the same process: the gauge follows the new one.
            registry.remove(previous);
        }
        Gauge.builder(SOURCES_CONNECTED, sourcesConnected, AtomicInteger::get)
                .description("Sources connected now").baseUnit("sources").register(registry);
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

    public void sourceConnected() {
        sourcesConnected.incrementAndGet();
    }

    public void sourceDisconnected() {
        sourcesConnected.decrementAndGet();
    }
}
