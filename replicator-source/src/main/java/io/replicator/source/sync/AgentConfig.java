package io.replicator.source.sync;

import io.replicator.protocol.text.HostPort;
import io.replicator.source.cutover.CutoverRecord;
import io.replicator.source.cutover.FreezeRecord;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * What the sync agent needs of the source's configuration (the source's {@code SourceConfig} documents
 * each entry); {@code tls} is null for plain TCP;
 * {@code freezeRecord} is where a cutover notes what it freezes; {@code stateDir} where it records
 * that the source was cut over (null: nowhere), and {@code cutOverAtStart} the record found there at
 * start (null when the source replicates); {@code maxRate} the bandwidth limits ({@code --max-rate});
 * {@code pacing} adaptive pacing's bounds ({@code --max-cpu}, {@code --max-pacing-lag}).
 * Immutable.
 */
public record AgentConfig(String sourceId, InetSocketAddress target, long scanIntervalMs, long maxInFlightBytes,
                          int connectTimeoutMs, long reconnectMinMs, long reconnectMaxMs, long heartbeatIntervalMs,
                          long idleTimeoutMs, LinkTls tls, FreezeRecord freezeRecord, Path stateDir,
                          CutoverRecord cutOverAtStart, RateSchedule maxRate, PacingConfig pacing) {

    /** A configuration without adaptive pacing. */
    public AgentConfig(String sourceId, InetSocketAddress target, long scanIntervalMs, long maxInFlightBytes,
                       int connectTimeoutMs, long reconnectMinMs, long reconnectMaxMs, long heartbeatIntervalMs,
                       long idleTimeoutMs, LinkTls tls, FreezeRecord freezeRecord, Path stateDir,
                       CutoverRecord cutOverAtStart, RateSchedule maxRate) {
        this(sourceId, target, scanIntervalMs, maxInFlightBytes, connectTimeoutMs, reconnectMinMs, reconnectMaxMs,
                heartbeatIntervalMs, idleTimeoutMs, tls, freezeRecord, stateDir, cutOverAtStart, maxRate,
                PacingConfig.OFF);
    }

    /** A configuration without a bandwidth limit. */
    public AgentConfig(String sourceId, InetSocketAddress target, long scanIntervalMs, long maxInFlightBytes,
                       int connectTimeoutMs, long reconnectMinMs, long reconnectMaxMs, long heartbeatIntervalMs,
                       long idleTimeoutMs, LinkTls tls, FreezeRecord freezeRecord, Path stateDir,
                       CutoverRecord cutOverAtStart) {
        this(sourceId, target, scanIntervalMs, maxInFlightBytes, connectTimeoutMs, reconnectMinMs, reconnectMaxMs,
                heartbeatIntervalMs, idleTimeoutMs, tls, freezeRecord, stateDir, cutOverAtStart, RateSchedule.NONE);
    }

    /** The target as {@code HOST:PORT}, the way the admin gave it, for logs and errors. */
    public String hostPort() {
        return HostPort.asGiven(target);
    }
}
