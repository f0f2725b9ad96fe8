package io.replicator.target.net;

import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetMetrics;
import io.replicator.target.apply.VolumeOpener;
import io.replicator.target.internal.SourceRegistry;

/** What every session of one receiver shares; {@code tls} is null for plain TCP. Immutable; its parts are thread-safe. */
public record ServerContext(TargetConfig config, SourceRegistry registry, TargetMetrics metrics,
                            VolumeOpener volumes, ChannelGroup sessions, SslContext tls) {
}
