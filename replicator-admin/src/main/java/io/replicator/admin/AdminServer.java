package io.replicator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.replicator.protocol.guard.PeerText;
import io.replicator.protocol.text.HostPort;
import io.replicator.protocol.tls.AdminTlsContexts;
import io.replicator.protocol.tls.CrlCheck;
import io.replicator.protocol.tls.CrlReloader;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Plaintext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint of a daemon: a small HTTP server (Netty) answering JSON on a few routes. It
 * listens on loopback unless told otherwise. On loopback it speaks plain HTTP; bound to any other
 * address (the wildcard 0.0.0.0 or :: included) it speaks HTTPS with the daemon's certificate,
 * requires a client certificate of the daemon's CA, and answers only clients whose role is admin
 * (403 with the reason otherwise). On loopback every request must carry the endpoint's {@link
 * AdminToken} (a file only the daemon's user can read; 401 otherwise) and name the endpoint's own
 * address in its Host header (no DNS rebinding), and no request may carry an Origin header (no web
 * page) or, with a body, a content type other than JSON (421, 403, 415).
 *
 * <p>Requests have owners and deadlines. One event loop thread reads requests and writes answers
 * and never waits: an {@link AsyncRoute} returns a future at once (a cutover, a sync) and a plain
 * {@link Route} runs on a small pool of its own. When the client's connection closes before the
 * answer, the route's future is cancelled, which withdraws the request (a cutover not yet started
 * never starts; one that runs fails and thaws). A request must arrive whole within {@value
 * #REQUEST_READ_TIMEOUT_MS} ms of the connection (or of the previous answer), and at most {@value
 * #MAX_CONNECTIONS} connections are open at once: a new one beyond that closes the oldest that has
 * not yet sent a whole request, so clients that trickle bytes cannot wedge the endpoint. Routes
 * are registered before {@link #start}. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Large enough for a cutover's commit, which carries the wave's report (JSON and Markdown, 512 KiB each at most). */
    static final int MAX_BODY_BYTES = 2 << 20;
    static final long REQUEST_READ_TIMEOUT_MS = 10_000;
    public static final int MAX_CONNECTIONS = 32;

    /** A route's answer: an HTTP status and an object serialized as JSON (or a String sent as text). */
    public record Reply(int status, Object body) {
    }

    /** One route answered on a worker thread: the request's method and JSON body (empty object when there is none) to a reply. */
    @FunctionalInterface
    public interface Route {
        Reply handle(String method, JsonNode body) throws Exception;
    }

    /**
     * One route that answers later: returns at once with the future of its reply, which the server
     * cancels when the client goes away. Called on the event loop: it must not block.
     */
    @FunctionalInterface
    public interface AsyncRoute {
        CompletableFuture<Reply> handle(String method, JsonNode body) throws Exception;
    }

    /**
     * An {@link AsyncRoute} that is told who asked: the admin client certificate's name over HTTPS,
     * {@value #LOOPBACK_CALLER} on the token-authenticated loopback endpoint.
     */
    @FunctionalInterface
    public interface CallerRoute {
        CompletableFuture<Reply> handle(String method, JsonNode body, String askedBy) throws Exception;
    }

    /** Who asked, on the plain HTTP loopback endpoint (the token proves the daemon's user on this machine). */
    public static final String LOOPBACK_CALLER = "loopback";

    private final InetSocketAddress requested;
    private final boolean https;
    private final SSLContext tls;
    /** The revocation list in force (the daemon's, re-read on change and SIGHUP); consulted per request. */
    private final Supplier<CrlCheck> crl;
    private final Map<String, CallerRoute> routes = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "admin-route");
        t.setDaemon(true);
        return t;
    });
    /** Open connections in order of acceptance, each marked whether it waits for its request. Event loop only. */
    private final java.util.LinkedHashMap<Channel, Boolean> open = new java.util.LinkedHashMap<>();
    private EventLoopGroup group;
    private Channel listener;
    private AdminToken token;

    /**
     * An endpoint for {@code address}: plain HTTP on a loopback address, HTTPS with client certificates elsewhere.
     *
     * @param pki the daemon's bundle, or null; required when {@code address} is not loopback
     */
    public AdminServer(InetSocketAddress address, PkiBundle pki) {
        this(address, pki, Optional.empty());
    }

    /**
     * As {@link #AdminServer(InetSocketAddress, PkiBundle)}, following {@code crl} (the daemon's
     * reloader): a revoked admin certificate is refused at its next handshake and its next request.
     */
    public AdminServer(InetSocketAddress address, PkiBundle pki, Optional<CrlReloader> crl) {
        checkAddress(address, pki);
        this.requested = address;
        this.https = !Plaintext.isLoopback(address);
        CrlCheck atStart = pki == null ? CrlCheck.none() : pki.crlCheck();
        this.crl = crl.<Supplier<CrlCheck>>map(r -> r::current).orElse(() -> atStart);
        this.tls = https ? AdminTlsContexts.forServer(pki, this.crl) : null;
    }

    /**
     * Refuses a non-loopback admin address for a daemon without a PKI bundle, naming the address.
     *
     * @throws IllegalArgumentException naming the address and what to do instead
     */
    public static void checkAddress(InetSocketAddress address, PkiBundle pki) {
        if (pki == null && !Plaintext.isLoopback(address)) {
            throw new IllegalArgumentException("--admin " + Plaintext.describe(address) + " is not loopback: an admin "
                    + "endpoint on another address needs the daemon's --pki BUNDLE (it then requires HTTPS with an "
                    + "admin certificate); use --admin 127.0.0.1:PORT for plain HTTP on loopback");
        }
    }

    /** A route answered on a worker thread (it may block, briefly). */
    public AdminServer route(String path, Route route) {
        return routeAsync(path, (method, body) -> CompletableFuture.supplyAsync(() -> {
            try {
                return route.handle(method, body);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, workers));
    }

    /** A route that answers through a future, cancelled when the client goes away. */
    public AdminServer routeAsync(String path, AsyncRoute route) {
        routes.put(path, (method, body, askedBy) -> route.handle(method, body));
        return this;
    }

    /** A route that answers through a future, cancelled when the client goes away, and is told who asked. */
    public AdminServer routeAsync(String path, CallerRoute route) {
        routes.put(path, route);
        return this;
    }

    /** Binds and serves; fails naming the address when it cannot listen. */
    public AdminServer start() throws IOException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(io.netty.channel.ChannelOption.AUTO_CLOSE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            initConnection(ch);
                        }
                    })
                    .bind(requested).sync().channel();
            if (!https) {
                token = AdminToken.create(address().getPort());
            }
        } catch (Exception e) {
            close();
            throw new IOException("cannot listen for admin requests on " + HostPort.format(requested) + ": "
                    + e.getMessage(), e);
        }
        LOG.info("admin endpoint on {}://{}/ ({}{})", https ? "https" : "http", HostPort.format(address()),
                String.join(", ", routes.keySet()),
                https ? "; clients need an admin certificate of the daemon's CA"
                        : "; requests need the token in " + token.file() + ", readable by this user only");
        return this;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    private void initConnection(SocketChannel ch) {
        if (open.size() >= MAX_CONNECTIONS && !evictOneWaiting()) {
            LOG.warn("admin connection from {} refused: {} connections are open and busy", ch.remoteAddress(),
                    MAX_CONNECTIONS);
            ch.close();
            return;
        }
        open.put(ch, true);
        ch.closeFuture().addListener(f -> open.remove(ch));
        ChannelPipeline p = ch.pipeline();
        if (https) {
            SSLEngine engine = tls.createSSLEngine();
            engine.setUseClientMode(false);
            engine.setSSLParameters(AdminTlsContexts.serverParameters(tls));
            p.addLast(new SslHandler(engine));
        }
        p.addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY_BYTES), new RequestHandler());
    }

    /** Closes the oldest connection that has not sent a whole request yet; false when every one is busy. */
    private boolean evictOneWaiting() {
        for (java.util.Map.Entry<Channel, Boolean> e : open.entrySet()) {
            if (e.getValue()) {
                LOG.warn("admin connection from {} closed: {} connections are open and it sent no whole request yet",
                        e.getKey().remoteAddress(), MAX_CONNECTIONS);
                open.remove(e.getKey());
                e.getKey().close();
                return true;
            }
        }
        return false;
    }

    /** Refuses a request that does not come from the daemon's user by the endpoint's own address; null when allowed. */
    private Reply refusal(FullHttpRequest request, String method) {
        if (request.headers().contains(HttpHeaderNames.ORIGIN)) {
            return refused(403, "a request with an Origin header (from a web page) is refused");
        }
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (request.content().isReadable() && (type == null || !type.startsWith("application/json"))) {
            return refused(415, "a request body must be application/json, not " + (type == null ? "untyped" : type));
        }
        if (https) {
            return null;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (!isOwnHost(host)) {
            return refused(421, "Host " + (host == null ? "(none)" : "'" + PeerText.escape(host) + "'")
                    + " is not this endpoint's address");
        }
        if (!token.accepts(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            return refused(401, "no valid admin token: run the command as the daemon's user on this machine (the "
                    + "token is in " + token.file() + ")");
        }
        return null;
    }

    private boolean isOwnHost(String host) {
        if (host == null) {
            return false;
        }
        int port = address().getPort();
        String h = host.toLowerCase(java.util.Locale.ROOT);
        for (String name : new String[] {"127.0.0.1", "localhost", "[::1]", address().getAddress().getHostAddress()}) {
            if (h.equals(name + ":" + port)) {
                return true;
            }
        }
        return false;
    }

    private static Reply refused(int status, String reason) {
        return new Reply(status, Map.of("result", "failed", "reason", "admin request refused: " + reason));
    }

    /** One connection: one request at a time, each read within the deadline, each answer written when its future completes. */
    private final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private ScheduledFuture<?> readDeadline;
        private CompletableFuture<Reply> pending;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            awaitRequest(ctx);
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            cancelReadDeadline();
            if (pending != null && !pending.isDone()) {
                LOG.warn("admin client {} went away before the answer: withdrawing its request", ctx.channel()
                        .remoteAddress());
                pending.cancel(false);
            }
            super.channelInactive(ctx);
        }

        private void awaitRequest(ChannelHandlerContext ctx) {
            readDeadline = ctx.executor().schedule(() -> {
                LOG.warn("admin connection from {} closed: no whole request within {} ms",
                        ctx.channel().remoteAddress(), REQUEST_READ_TIMEOUT_MS);
                ctx.close();
            }, REQUEST_READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        private void cancelReadDeadline() {
            if (readDeadline != null) {
                readDeadline.cancel(false);
                readDeadline = null;
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            cancelReadDeadline();
            open.replace(ctx.channel(), false);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String path = new QueryStringDecoder(request.uri()).path();
            String method = request.method().name();
            CompletableFuture<Reply> reply;
            try {
                if (!request.decoderResult().isSuccess()) {
                    throw new IllegalArgumentException("malformed HTTP request: " + request.decoderResult().cause());
                }
                String askedBy = LOOPBACK_CALLER;
                if (https) {
                    askedBy = AdminTlsContexts.requireAdmin(ctx.pipeline().get(SslHandler.class).engine()
                            .getSession(), crl.get()).id();
                }
                Reply refusal = refusal(request, method);
                if (refusal != null) {
                    LOG.warn("admin request {} {} from {} refused: {}", method, PeerText.escape(path),
                            ctx.channel().remoteAddress(), ((Map<?, ?>) refusal.body()).get("reason"));
                    throw new Refused(refusal);
                }
                CallerRoute route = find(path);
                JsonNode body = request.content().isReadable()
                        ? Json.MAPPER.readTree((java.io.InputStream) new ByteBufInputStream(request.content()))
                        : Json.MAPPER.createObjectNode();
                queryInto(new QueryStringDecoder(request.uri()), body);
                reply = route.handle(method, body, askedBy);
            } catch (Exception e) {
                reply = CompletableFuture.failedFuture(e);
            }
            pending = reply;
            reply.whenComplete((r, e) -> ctx.executor().execute(() -> answer(ctx, path, r, e, keepAlive)));
        }

        private void answer(ChannelHandlerContext ctx, String path, Reply r, Throwable error, boolean keepAlive) {
            pending = null;
            open.replace(ctx.channel(), true);
            if (!ctx.channel().isActive()) {
                return;
            }
            Reply reply = r != null ? r : failure(path, ctx.channel(), error);
            byte[] out;
            String type;
            try {
                if (reply.body() instanceof String text) {
                    out = text.getBytes(StandardCharsets.UTF_8);
                    type = "text/plain; version=0.0.4; charset=utf-8";
                } else {
                    out = Json.adminAnswer(reply.body());
                    type = "application/json";
                }
            } catch (IOException e) {
                out = ("{\"schema\":" + Json.ADMIN_SCHEMA
                        + ",\"result\":\"failed\",\"reason\":\"cannot write the answer as JSON\"}")
                        .getBytes(StandardCharsets.UTF_8);
                type = "application/json";
                reply = new Reply(500, null);
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(out));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, out.length);
            if (keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(response);
                awaitRequest(ctx);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("admin connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** Query parameters ({@code ?source=ID}) join the body as text fields, unless the body names them itself. */
    private static void queryInto(QueryStringDecoder query, JsonNode body) {
        if (body instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
            query.parameters().forEach((name, values) -> {
                if (!object.has(name) && !values.isEmpty()) {
                    object.put(name, values.get(0));
                }
            });
        }
    }

    private CallerRoute find(String path) {
        CallerRoute route = routes.get(path);
        if (route == null) {
            throw new NoSuchRouteException("no route " + path + " (routes: " + String.join(", ", routes.keySet()) + ")");
        }
        return route;
    }

    /** A request refused before any route saw it, with its reply. */
    private static final class Refused extends RuntimeException {
        final transient Reply reply;

        Refused(Reply reply) {
            super(String.valueOf(((Map<?, ?>) reply.body()).get("reason")));
            this.reply = reply;
        }
    }

    private static final class NoSuchRouteException extends RuntimeException {
        NoSuchRouteException(String message) {
            super(message);
        }
    }

    /** The reply for a request that failed: 403, 400, 404 or 500, always with a reason that says something. */
    private static Reply failure(String path, Channel channel, Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof Refused refused) {
            return refused.reply;
        }
        String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        if (e instanceof SSLPeerUnverifiedException) {
            LOG.warn("admin request {} from {} refused: {}", path, channel.remoteAddress(), reason);
            return new Reply(403, Map.of("result", "failed", "reason", reason));
        }
        if (e instanceof NoSuchRouteException) {
            return new Reply(404, Map.of("result", "failed", "reason", reason));
        }
        if (e instanceof IllegalArgumentException || e instanceof com.fasterxml.jackson.core.JacksonException) {
            return new Reply(400, Map.of("result", "failed", "reason", reason));
        }
        LOG.warn("admin request {} failed: {}", path, e.toString());
        return new Reply(500, Map.of("result", "failed", "reason", reason));
    }

    /** A 405 reply for a route called with the wrong method. */
    public static Reply methodNotAllowed(String method, String expected) {
        return new Reply(405, Map.of("result", "failed", "reason", method + " not allowed here; use " + expected));
    }

    @Override
    public void close() {
        if (token != null) {
            token.delete();
        }
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        workers.shutdownNow();
    }
}
