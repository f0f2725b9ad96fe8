package io.replicator.source.sync;

import java.net.InetSocketAddress;

/** What the sync agent needs of the source's configuration. Immutable. */
public record AgentConfig(String sourceId, InetSocketAddress target, long scanIntervalMs, long maxInFlightBytes,
                          int connectTimeoutMs, long reconnectMinMs, long reconnectMaxMs) {
}
