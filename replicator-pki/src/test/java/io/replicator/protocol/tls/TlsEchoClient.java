package io.replicator.protocol.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A TLS client that dials 127.0.0.1 as {@code host} (the name its handler verifies), sends one
 * message and waits for the echo. One event loop per client, shut down when it closes.
 */
final class TlsEchoClient implements AutoCloseable {
    /** What happened: a handshake failure, or the echo, or why no echo came. */
    record Result(Throwable handshakeFailure, PeerIdentity server, String echo, Throwable echoFailure) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    Result exchange(SslContext context, String host, int port, String message) throws Exception {
        CompletableFuture<String> echo = new CompletableFuture<>();
        StringBuilder received = new StringBuilder();
        SslHandler[] ssl = new SslHandler[1];
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        ssl[0] = TlsContexts.newClientHandler(context, c.alloc(), host, port);
                        c.pipeline().addLast(ssl[0], new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf buf = (ByteBuf) msg;
                                try {
                                    received.append(buf.toString(StandardCharsets.UTF_8));
                                } finally {
                                    buf.release();
                                }
                                if (received.length() >= message.length()) {
                                    echo.complete(received.toString());
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                echo.completeExceptionally(new IllegalStateException(
                                        "connection closed after " + received.length() + " bytes of echo"));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                echo.completeExceptionally(cause);
                                ctx.close();
                            }
                        });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        try {
            if (!ssl[0].handshakeFuture().await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("client handshake did not finish within 10 s");
            }
            if (!ssl[0].handshakeFuture().isSuccess()) {
                return new Result(ssl[0].handshakeFuture().cause(), null, null, null);
            }
            PeerIdentity server = TlsContexts.peerIdentity(ssl[0].engine().getSession());
            ch.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8));
            try {
                return new Result(null, server, echo.get(10, TimeUnit.SECONDS), null);
            } catch (ExecutionException e) {
                return new Result(null, server, null, e.getCause());
            }
        } finally {
            ch.close().sync();
        }
    }

    @Override
    public void close() throws InterruptedException {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }
}
