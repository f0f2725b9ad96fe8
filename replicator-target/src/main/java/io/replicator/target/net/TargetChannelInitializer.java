package io.replicator.target.net;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.replicator.protocol.wire.FrameCodec;

/**
 * Sets up each accepted connection: TLS when the receiver has a certificate bundle, the frame
 * codec, then a {@link SessionHandler} of its own.
 * Sharable and thread-safe; runs on the accepted channel's event loop.
 */
public final class TargetChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final ServerContext server;

    public TargetChannelInitializer(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        server.sessions().add(ch);
        if (server.tls() != null) {
            ch.pipeline().addLast("tls", server.tls().newHandler(ch.alloc()));
        }
        ch.pipeline().addLast("frames", new FrameCodec()).addLast("session", new SessionHandler(server));
    }
}
