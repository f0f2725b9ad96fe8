package io.replicator.target.net;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.replicator.protocol.wire.FrameCodec;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * Sets up each accepted connection: closes it at once when its address already has the most
 * connections allowed that are not yet sessions ({@link ConnectionLimiter}), else TLS when the
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
        InetAddress address = ch.remoteAddress().getAddress();
        ConnectionLimiter.Slot slot = server.limiter().tryAcquire(address);
        if (slot == null) {
            server.metrics().connectionRefused("limit");
            server.refusals().refused(address, String.format("refused connection from %s: %d connections from "
                    + "this address are already waiting to authenticate (limit %d); closed without reading",
                    ch.remoteAddress(), server.limiter().maxPerAddress(), server.limiter().maxPerAddress()));
            ch.close();
            return;
        }
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
