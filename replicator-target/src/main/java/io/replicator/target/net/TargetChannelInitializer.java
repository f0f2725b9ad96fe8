package io.replicator.target.net;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.replicator.protocol.guard.ConnectionLimiter;
import io.replicator.protocol.wire.FrameCodec;
import java.util.concurrent.TimeUnit;

/**
 * Sets up each accepted connection: closes it at once when the receiver already holds the most
 * connections allowed that are not yet sessions, in all or from its address prefix ({@link
 * ConnectionLimiter}; the refusal is logged at a bounded rate), else TLS when the
 * receiver has a certificate bundle (with the handshake deadline), the frame codec, an idle-state
 * watch (heartbeat interval for writes, idle timeout for reads) and a {@link SessionHandler} of its
 * own. Sharable and thread-safe; runs on the accepted channel's event loop.
 */
public final class TargetChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final ServerContext server;

    public TargetChannelInitializer(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ConnectionLimiter.Admission admission = server.limiter().tryAcquire(ch.remoteAddress().getAddress());
        if (admission instanceof ConnectionLimiter.Refusal refusal) {
            server.metrics().connectionRefused("limit");
            server.refusals().refused(refusal.logKey(), String.format("refused connection from %s: %s; closed without "
                    + "reading", ch.remoteAddress(), refusal));
            ch.close();
            return;
        }
        ConnectionLimiter.Slot slot = (ConnectionLimiter.Slot) admission;
        ch.closeFuture().addListener(f -> slot.release());
        server.sessions().add(ch);
        if (server.tls() != null) {
            SslHandler tls = server.tls().newHandler(ch.alloc());
            tls.setHandshakeTimeoutMillis(server.config().tlsHandshakeTimeoutMs());
            ch.pipeline().addLast("tls", tls);
        }
        ch.pipeline().addLast("frames", new FrameCodec())
                .addLast("idle", new IdleStateHandler(false, server.config().idleTimeoutMs(),
                        server.config().heartbeatIntervalMs(), 0, TimeUnit.MILLISECONDS))
                .addLast("session", new SessionHandler(server, slot));
    }
}
