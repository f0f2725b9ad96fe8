package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint of a daemon: a small HTTP server (JDK) answering JSON on a few routes. It
 * listens on loopback unless told otherwise. Routes are registered before {@link #start}; requests
 * run on a small pool of their own, never on the daemon's threads.
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
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "admin-http");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Route> routes = new LinkedHashMap<>();

    public AdminServer(InetSocketAddress address) throws IOException {
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            pool.shutdown();
            throw new IOException("cannot listen for admin requests on " + HostPort.format(address) + ": "
                    + e.getMessage(), e);
        }
        server.setExecutor(pool);
    }

    public AdminServer route(String path, Route route) {
        routes.put(path, route);
        server.createContext(path, exchange -> serve(exchange, route));
        return this;
    }

    public AdminServer start() {
        server.start();
        LOG.info("admin endpoint on http://{}/ ({})", HostPort.format(address()), String.join(", ", routes.keySet()));
        return this;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void serve(HttpExchange exchange, Route route) throws IOException {
        Reply reply;
        try (exchange) {
            try {
                byte[] in = exchange.getRequestBody().readNBytes(64 << 10);
                JsonNode body = in.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(in);
                reply = route.handle(exchange.getRequestMethod(), body);
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
