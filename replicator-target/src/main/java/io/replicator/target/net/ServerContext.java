package io.replicator.target.net;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.internal.PlatformDependent;
import io.replicator.protocol.guard.ConnectionLimiter;
import io.replicator.protocol.guard.RefusalLog;
import io.replicator.protocol.tls.CrlCheck;
import io.replicator.protocol.tls.CrlReloader;
import io.replicator.protocol.tls.TlsContexts;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetMetrics;
import io.replicator.target.apply.SourceHistories;
import io.replicator.target.apply.VolumeOpener;
import io.replicator.target.apply.WriteTurns;
import io.replicator.target.cutover.Cutovers;
import io.replicator.target.internal.SourceRegistry;
import javax.net.ssl.SSLException;
import org.slf4j.LoggerFactory;

/**
 * What every session of one receiver shares ({@code limits}: the receive rate and queue shared among them;
 * {@code turns}: the disk's write turns), its cutover records and the sources' histories included. {@code tls} and {@code crl} are null for plain TCP.
 * Immutable; its parts are thread-safe. {@link #close()} stops re-reading the revocation list.
 */
public record ServerContext(TargetConfig config, SourceRegistry registry, TargetMetrics metrics,
                            VolumeOpener volumes, ChannelGroup sessions, SslContext tls, CrlReloader crl,
                            ConnectionLimiter limiter, RefusalLog refusals, ReceiveLimits limits, WriteTurns turns,
                            Cutovers cutovers, SourceHistories histories) {
    /** One line per address (IPv6: per /64) per this long for connections refused before they authenticated. */
    public static final long REFUSAL_LOG_INTERVAL_MS = 10_000;
    /** At most this many such lines per {@link #REFUSAL_LOG_INTERVAL_MS} whatever the addresses. */
    public static final int REFUSAL_LOG_MAX_LINES = 10;
    /**
     * The sessions' queues together take at most this share of the JVM's direct memory: the rest is
     * their read and scratch buffers. A JVM at its direct limit collects its whole heap for every
     * buffer it cannot reserve (Bits.reserveMemory calls System.gc), which costs more CPU than the
     * copy itself once many sessions are busy.
     */
    static final int QUEUE_SHARE_OF_DIRECT_MEMORY = 4;

    /** Makes the context of a receiver; with a PKI bundle, TLS that follows the bundle's CRL as it changes. */
    public static ServerContext create(TargetConfig config, SourceRegistry registry, TargetMetrics metrics,
                                       VolumeOpener volumes, ChannelGroup sessions, Cutovers cutovers,
                                       SourceHistories histories)
            throws SSLException {
        ConnectionLimiter limiter = new ConnectionLimiter(config.maxPendingConnections(),
                config.maxPendingConnectionsPerPrefix());
        RefusalLog refusals = new RefusalLog(LoggerFactory.getLogger(TargetChannelInitializer.class),
                REFUSAL_LOG_INTERVAL_MS, REFUSAL_LOG_MAX_LINES);
        ReceiveLimits limits = new ReceiveLimits(config.maxRateBytesPerSecond(), config.maxQueuedBytes(),
                Math.min(config.maxQueuedBytesTotal(), PlatformDependent.maxDirectMemory() / QUEUE_SHARE_OF_DIRECT_MEMORY));
        if (config.pki() == null) {
            return new ServerContext(config, registry, metrics, volumes, sessions, null, null, limiter, refusals,
                    limits, new WriteTurns(), cutovers, histories);
        }
        CrlReloader crl = new CrlReloader(config.pki(), config.crlPollIntervalMs());
        crl.onChange(check -> cutOffRevoked(sessions, check));
        try {
            SslContext tls = TlsContexts.forServer(config.pki(), crl);
            return new ServerContext(config, registry, metrics, volumes, sessions, tls, crl, limiter, refusals, limits,
                    new WriteTurns(), cutovers, histories);
        } catch (SSLException | RuntimeException e) {
            crl.close();
            throw e;
        }
    }

    /** Closes every session whose peer certificate {@code crl} revokes. */
    private static void cutOffRevoked(ChannelGroup sessions, CrlCheck crl) {
        for (Channel channel : sessions) {
            SessionHandler session = channel.pipeline().get(SessionHandler.class);
            if (session != null) {
                session.closeIfRevoked(crl);
            }
        }
    }

    /** Stops following the revocation list. */
    public void close() {
        if (crl != null) {
            crl.close();
        }
    }
}
