package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.replicator.protocol.tls.AdminTlsContexts;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Plaintext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint of a daemon: a small HTTP server (JDK) answering JSON on a few routes. It
 * listens on loopback unless told otherwise. On loopback it speaks plain HTTP; bound to any other
 * address (the wildcard 0.0.0.0 or :: included) it speaks HTTPS with the daemon's certificate,
 * requires a client certificate of the daemon's CA, and answers only clients whose role is admin
 * (403 with the reason otherwise). Routes are registered before {@link #start}; requests run on a
 * small pool of their own, never on the daemon's threads.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    /** A route's answer: an HTTP status and an object serialized as JSON (or a String sent as text). */
    public record Reply(int status, Object body) {
    }

    /** One route: the request's method and JSON body (empty object when there is none) to a reply. */
    @FunctionalInterface
    public interface Route {
        Reply handle(String method, JsonNode body) throws Exception;
    }

    private final HttpServer server;
    private final boolean https;
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "admin-http");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Route> routes = new LinkedHashMap<>();

    /**
     * Binds the endpoint: plain HTTP on a loopback address, HTTPS with client certificates elsewhere.
     *
     * @param pki the daemon's bundle, or null; required when {@code address} is not loopback
     */
    public AdminServer(InetSocketAddress address, PkiBundle pki) throws IOException {
        checkAddress(address, pki);
        https = !Plaintext.isLoopback(address);
        try {
            if (https) {
                SSLContext context = AdminTlsContexts.forServer(pki);
                HttpsServer s = HttpsServer.create(address, 16);
                s.setHttpsConfigurator(new HttpsConfigurator(context) {
                    @Override
                    public void configure(HttpsParameters params) {
                        params.setSSLParameters(AdminTlsContexts.serverParameters(context));
                    }
                });
                server = s;
            } else {
                server = HttpServer.create(address, 16);
            }
        } catch (IOException e) {
            pool.shutdown();
            throw new IOException("cannot listen for admin requests on " + HostPort.format(address) + ": "
                    + e.getMessage(), e);
        }
        server.setExecutor(pool);
    }

    /** Refuses a non-loopback admin address for a daemon without a PKI bundle, naming the address. */
    public static void checkAddress(InetSocketAddress address, PkiBundle pki) {
        if (pki == null && !Plaintext.isLoopback(address)) {
            throw new Main.UsageException("--admin " + Plaintext.describe(address) + " is not loopback: an admin "
                    + "endpoint on another address needs the daemon's --pki BUNDLE (it then requires HTTPS with an "
                    + "admin certificate); use --admin 127.0.0.1:PORT for plain HTTP on loopback");
        }
    }

    public AdminServer route(String path, Route route) {
        routes.put(path, route);
        server.createContext(path, exchange -> serve(exchange, route));
        return this;
    }

    public AdminServer start() {
        server.start();
        LOG.info("admin endpoint on {}://{}/ ({}{})", https ? "https" : "http", HostPort.format(address()),
                String.join(", ", routes.keySet()),
                https ? "; clients need an admin certificate of the daemon's CA" : "");
        return this;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void serve(HttpExchange exchange, Route route) throws IOException {
        Reply reply;
        try (exchange) {
            try {
                if (exchange instanceof HttpsExchange secure) {
                    AdminTlsContexts.requireAdmin(secure.getSSLSession());
                }
                byte[] in = exchange.getRequestBody().readNBytes(64 << 10);
                JsonNode body = in.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(in);
                reply = route.handle(exchange.getRequestMethod(), body);
            } catch (SSLPeerUnverifiedException e) {
                LOG.warn("admin request {} from {} refused: {}", exchange.getRequestURI(), exchange.getRemoteAddress(),
                        e.getMessage());
                reply = new Reply(403, Map.of("result", "failed", "reason", String.valueOf(e.getMessage())));
            } catch (IllegalArgumentException | com.fasterxml.jackson.core.JacksonException e) {
                reply = new Reply(400, Map.of("result", "failed", "reason", String.valueOf(e.getMessage())));
            } catch (Exception e) {
                LOG.warn("admin request {} failed: {}", exchange.getRequestURI(), e.toString());
                reply = new Reply(500, Map.of("result", "failed", "reason", String.valueOf(e.getMessage())));
            }
            byte[] out;
            if (reply.body() instanceof String text) {
                out = text.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            } else {
                out = Json.MAPPER.writeValueAsBytes(reply.body());
                exchange.getResponseHeaders().set("Content-Type", "application/json");
            }
            exchange.sendResponseHeaders(reply.status(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    /** A 405 reply for a route called with the wrong method. */
    public static Reply methodNotAllowed(String method, String expected) {
        return new Reply(405, Map.of("result", "failed", "reason", method + " not allowed here; use " + expected));
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
