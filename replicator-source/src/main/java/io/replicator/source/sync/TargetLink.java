package io.replicator.source.sync;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.tls.TlsContexts;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameCodec;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The connection to the target (mutual TLS when the source has a certificate bundle): a Netty
 * client whose event loop decodes frames and hands them,
 * with connection events, to the sync agent's inbox. It never touches a disk or the agent's state.
 * Thread-safe: {@link #connect} may be called from the agent while the event loop runs.
 */
final class TargetLink implements AutoCloseable {
    /** Pending outbound bytes above which the channel reports itself unwritable. */
    static final int HIGH_WATER_MARK_BYTES = 8 << 20;
    static final int LOW_WATER_MARK_BYTES = 4 << 20;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Bootstrap bootstrap;
    private final Consumer<LinkEvent> inbox;

    TargetLink(int connectTimeoutMs, InetSocketAddress target, SslContext tls, Consumer<LinkEvent> inbox) {
        this.inbox = inbox;
        bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(LOW_WATER_MARK_BYTES, HIGH_WATER_MARK_BYTES))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            // Verifies that the target's certificate names the host dialed.
                            ch.pipeline().addLast(TlsContexts.newClientHandler(tls, ch.alloc(), target.getHostString(),
                                    target.getPort()));
                        }
                        ch.pipeline().addLast(new FrameCodec(), new Handler(inbox));
                    }
                });
    }

    /** Starts connecting; the outcome arrives in the inbox as {@link LinkEvent.Connected} or {@link LinkEvent.ConnectFailed}. */
    Channel connect(InetSocketAddress target) {
        ChannelFuture f = bootstrap.connect(target);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                inbox.accept(new LinkEvent.ConnectFailed(f.channel(), done.cause()));
            }
        });
        return f.channel();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final Consumer<LinkEvent> inbox;
        private Throwable cause;

        Handler(Consumer<LinkEvent> inbox) {
            this.inbox = inbox;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            inbox.accept(new LinkEvent.Connected(ctx.channel()));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Frame frame && !(msg instanceof io.replicator.protocol.wire.BlockFrame)) {
                inbox.accept(new LinkEvent.Received(ctx.channel(), frame));
            } else {
                ReferenceCountUtil.release(msg);
                cause = new IllegalStateException("target sent an unexpected " + msg);
                ctx.close();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            inbox.accept(new LinkEvent.WritabilityChanged(ctx.channel()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
            if (cause == null) {
                cause = t;
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inbox.accept(new LinkEvent.Closed(ctx.channel(), cause));
        }
    }

}
