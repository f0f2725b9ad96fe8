package io.replicator.protocol.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;

/**
 * A TLS echo server on 127.0.0.1, port 0: records the outcome of every handshake (the peer's
 * identity and protocol, or why it failed) and echoes what authenticated peers send. Its event loop
 * owns the channels; outcomes are handed to the test thread through a queue.
 */
final class TlsEchoServer implements AutoCloseable {
    /** One handshake: {@code failure} is null when it succeeded. */
    record Outcome(PeerIdentity peer, String protocol, Throwable failure) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    private final Channel channel;

    TlsEchoServer(SslContext context) throws InterruptedException {
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = context.newHandler(ch.alloc());
                        ssl.handshakeFuture().addListener(f -> outcomes.add(outcome(ssl, f.cause())));
                        ch.pipeline().addLast(ssl, new Echo());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    private static Outcome outcome(SslHandler ssl, Throwable failure) {
        if (failure != null) {
            return new Outcome(null, null, failure);
        }
        SSLSession session = ssl.engine().getSession();
        try {
            return new Outcome(TlsContexts.peerIdentity(session), session.getProtocol(), null);
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return new Outcome(null, session.getProtocol(), e);
        }
    }

    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
            ctx.close();
        }
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The next handshake's outcome, waiting up to 10 s. */
    Outcome nextOutcome() throws InterruptedException {
        Outcome o = outcomes.poll(10, TimeUnit.SECONDS);
        if (o == null) {
            throw new AssertionError("no handshake finished within 10 s; errors: " + errors);
        }
        return o;
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }
}
