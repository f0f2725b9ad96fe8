package io.replicator.source.sync;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.replicator.protocol.tls.CrlCheck;
import io.replicator.protocol.tls.CrlReloader;
import io.replicator.protocol.tls.PeerIdentity;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TlsContexts;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameCodec;
import io.replicator.protocol.wire.Heartbeat;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.ProtocolVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The connection to the target (mutual TLS when the source has a certificate bundle): a Netty
 * client whose event loop decodes frames and hands them,
 * with connection events, to the sync agent's inbox. With TLS, the link is reported connected only
 * once the handshake is done and the target's certificate has role target, so nothing is sent to
 * anyone else. The target's certificate is checked against the revocation list in force on every
 * handshake, and again whenever a new list is put in force: a target whose certificate it revokes is
 * disconnected with the reason, and every reconnect is refused at the handshake while the list names
 * it. After HELLO_ACK it sends a HEARTBEAT whenever it has written nothing for the heartbeat
 * interval, swallows the target's heartbeats, and closes a link that has received nothing for the
 * idle timeout (a dead target or a half-open connection), which the agent then reconnects.
 * It refuses a HELLO_ACK whose version range does not meet ours, and a frame that breaks the
 * protocol (a trailer that does not match, a field out of bounds): it sends the target an
 * ERROR frame saying why and closes, and the agent reconnects and sends again what was in flight.
 * It never touches a disk or the agent's state.
 * Thread-safe: {@link #connect} may be called from the agent while the event loop runs.
 */
final class TargetLink implements TargetSession.Connector {
    /** Pending outbound bytes above which the channel reports itself unwritable. */
    static final int HIGH_WATER_MARK_BYTES = 8 << 20;
    static final int LOW_WATER_MARK_BYTES = 4 << 20;
    static final long TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
    /** How long a refused target has to take our error frame before the link is closed regardless. */
    static final long CLOSE_GRACE_MS = 500;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Bootstrap bootstrap;
    private final Consumer<LinkEvent> inbox;
    /** The connections open now (one, between reconnects); a closed channel leaves by itself. */
    private final ChannelGroup channels = new DefaultChannelGroup("replicator-target-link", GlobalEventExecutor.INSTANCE);
    private final CrlReloader.Registration crlListener;

    TargetLink(int connectTimeoutMs, InetSocketAddress target, LinkTls tls, Consumer<LinkEvent> inbox,
               long heartbeatIntervalMs, long idleTimeoutMs) {
        this.inbox = inbox;
        this.crlListener = tls == null ? null : tls.crl().onChange(this::cutOffRevoked);
        bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(LOW_WATER_MARK_BYTES, HIGH_WATER_MARK_BYTES))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        if (tls != null) {
                            // Verifies that the target's certificate names the host dialed.
                            SslHandler handler = TlsContexts.newClientHandler(tls.context(), ch.alloc(),
                                    target.getHostString(), target.getPort());
                            handler.setHandshakeTimeoutMillis(TLS_HANDSHAKE_TIMEOUT_MS);
                            ch.pipeline().addLast(handler);
                        }
                        ch.pipeline().addLast(new FrameCodec(),
                                new IdleStateHandler(false, idleTimeoutMs, heartbeatIntervalMs, 0, TimeUnit.MILLISECONDS),
                                new Handler(inbox, tls == null ? null : tls.crl(), idleTimeoutMs));
                    }
                });
    }

    /** Starts connecting; the outcome arrives in the inbox as {@link LinkEvent.Connected} or {@link LinkEvent.ConnectFailed}. */
    @Override
    public Channel connect(InetSocketAddress target) {
        ChannelFuture f = bootstrap.connect(target);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                inbox.accept(new LinkEvent.ConnectFailed(f.channel(), done.cause()));
            }
        });
        return f.channel();
    }

    /** Closes, on its event loop, every connection to a target whose certificate {@code crl} revokes. */
    private void cutOffRevoked(CrlCheck crl) {
        for (Channel ch : channels) {
            Handler handler = ch.pipeline().get(Handler.class);
            if (handler != null) {
                ch.eventLoop().execute(() -> handler.closeIfRevoked(ch, crl));
            }
        }
    }

    @Override
    public void close() {
        if (crlListener != null) {
            crlListener.close();
        }
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final Consumer<LinkEvent> inbox;
        /** The revocation list in force, null for plain TCP. */
        private final CrlReloader crl;
        private final long idleTimeoutMs;
        private Throwable cause;
        private boolean helloAcked;
        /** The target's certificate once the handshake is done and its role checked. */
        private X509Certificate peerCertificate;
        private PeerIdentity peer;
        private boolean refused;

        Handler(Consumer<LinkEvent> inbox, CrlReloader crl, long idleTimeoutMs) {
            this.inbox = inbox;
            this.crl = crl;
            this.idleTimeoutMs = idleTimeoutMs;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (crl == null) {
                inbox.accept(new LinkEvent.Connected(ctx.channel()));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    onTlsEstablished(ctx);
                } else if (cause == null) {
                    cause = done.cause();
                }
            } else if (evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.WRITER_IDLE && helloAcked) {
                    ctx.writeAndFlush(Heartbeat.INSTANCE);
                } else if (idle.state() == IdleState.READER_IDLE) {
                    if (cause == null) {
                        cause = new IOException("the target sent nothing for " + idleTimeoutMs + " ms (idle timeout "
                                + idleTimeoutMs + " ms): it is gone or the connection is half-open; reconnecting");
                    }
                    ctx.close();
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        /**
         * Reports the link connected only to a peer whose certificate says it is a target and is not
         * revoked by the list in force now (which may be newer than the one the handshake asked).
         */
        private void onTlsEstablished(ChannelHandlerContext ctx) {
            try {
                SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
                PeerIdentity identity = TlsContexts.peerIdentity(session);
                if (identity.role() != Role.TARGET) {
                    throw new SSLPeerUnverifiedException("the certificate of " + identity + " has role "
                            + identity.role() + "; a source sends only to a certificate with role " + Role.TARGET);
                }
                Certificate[] chain = session.getPeerCertificates();
                peerCertificate = (X509Certificate) chain[0];
                peer = identity;
                if (closeIfRevoked(ctx.channel(), crl.current())) {
                    return;
                }
                inbox.accept(new LinkEvent.Connected(ctx.channel()));
            } catch (SSLPeerUnverifiedException e) {
                if (cause == null) {
                    cause = e;
                }
                ctx.close();
            }
        }

        /** Closes the connection, with the reason, when {@code list} revokes the target's certificate. */
        boolean closeIfRevoked(Channel ch, CrlCheck list) {
            if (peerCertificate == null || !ch.isOpen() || !list.isRevoked(peerCertificate)) {
                return false;
            }
            if (cause == null) {
                cause = new SSLPeerUnverifiedException("the certificate of " + peer + " was revoked (the CA's CRL lists "
                        + "it since " + list.revokedAt(peer.serial()).orElseThrow() + "): disconnected; reconnecting is "
                        + "refused until the target presents a certificate that is not revoked");
            }
            ch.close();
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Heartbeat) {
                return;
            }
            if (msg instanceof HelloAck ack) {
                try {
                    ProtocolVersion.checkHelloAck(ack);
                } catch (ProtocolException e) {
                    refuse(ctx, e);
                    return;
                }
            }
            if (msg instanceof Frame frame && !(msg instanceof BlockFrame)) {
                helloAcked |= frame instanceof HelloAck;
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
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof ProtocolException e) {
                    refuse(ctx, e);
                    return;
                }
            }
            if (cause == null) {
                cause = t;
            }
            ctx.close();
        }

        /** Tells the target why, then closes: the agent reports {@code e} and reconnects. */
        private void refuse(ChannelHandlerContext ctx, ProtocolException e) {
            if (cause == null) {
                cause = e;
            }
            if (refused || !ctx.channel().isActive()) {
                ctx.close();
                return;
            }
            refused = true;
            ctx.writeAndFlush(ErrorFrame.of(e)).addListener(ChannelFutureListener.CLOSE);
            ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inbox.accept(new LinkEvent.Closed(ctx.channel(), cause));
        }
    }

}
