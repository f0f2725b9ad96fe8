package io.replicator.source.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.admin.RateLimitBody;
import io.replicator.source.FlowStatus;
import io.replicator.source.SourceDaemon;
import io.replicator.source.cutover.MountPoints;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The source daemon's admin routes: status, sync, verify, cutover, pause, resume, throttle, metrics. {@code status} answers
 * within a second whatever else runs; sync, verify and cutover run with the deadline their body
 * names ({@code timeout_ms}, at most {@value #MAX_TIMEOUT_MS} ms) and are withdrawn when their client
 * goes away. The daemon's endpoint: {@link #start} binds it, with the daemon's bundle and revocation
 * list, on the address the admin gave.
 */
public final class SourceAdmin {
    static final long DEFAULT_CUTOVER_TIMEOUT_MS = 600_000;
    /** The longest any request may run: a day. */
    static final long MAX_TIMEOUT_MS = 86_400_000;
    /** The most mount points one cutover may freeze. */
    static final int MAX_FREEZE_PATHS = 64;

    private SourceAdmin() {
    }

    /**
     * Starts {@code daemon}'s endpoint on {@code address}: plain HTTP with the token on loopback, else
     * HTTPS with the daemon's certificate, following its revocation list; {@code /metrics} scrapes
     * {@code registry}, the one the daemon was started with.
     *
     * @throws IOException naming the address when it cannot listen
     * @throws IllegalArgumentException when {@code address} is not loopback and the daemon has no bundle
     */
    public static AdminServer start(InetSocketAddress address, SourceDaemon daemon, PrometheusMeterRegistry registry)
            throws IOException {
        return register(new AdminServer(address, daemon.config().pki(), daemon.crl()), daemon, registry).start();
    }

    /** Registers the source's routes on {@code server}, not started yet. */
    public static AdminServer register(AdminServer server, SourceDaemon daemon, PrometheusMeterRegistry registry) {
        return server
                .routeAsync("/status", (method, body) ->
                        daemon.statusAsync().thenApply(s -> new AdminServer.Reply(200, s)))
                .route("/metrics", (method, body) -> new AdminServer.Reply(200, registry.scrape()))
                .routeAsync("/sync", (method, body) -> post(method, body, SourceDaemon.DEFAULT_REQUEST_TIMEOUT_MS,
                        daemon::sync))
                .routeAsync("/verify", (method, body) -> post(method, body, SourceDaemon.DEFAULT_REQUEST_TIMEOUT_MS,
                        daemon::verify))
                .routeAsync("/pause", (method, body) -> flow(method, daemon::pause))
                .routeAsync("/resume", (method, body) -> flow(method, daemon::resume))
                .routeAsync("/throttle", (method, body) ->
                        flow(method, () -> daemon.throttle(RateLimitBody.maxRateBytesPerSecond(body))))
                .routeAsync("/cutover", (method, body) -> {
                    if (!"POST".equals(method)) {
                        return CompletableFuture.completedFuture(AdminServer.methodNotAllowed(method, "POST"));
                    }
                    long timeoutMs = timeoutMs(body, DEFAULT_CUTOVER_TIMEOUT_MS);
                    List<Path> freeze = freezePaths(body.path("freeze"));
                    CompletableFuture<?> running = daemon.cutover(freeze, timeoutMs);
                    return withdrawnWith(running, running.thenApply(r -> new AdminServer.Reply(200, r)));
                });
    }

    /** A POST whose answer is the future's value (200) or its failure's reason (409). */
    private static CompletableFuture<AdminServer.Reply> post(String method, JsonNode body, long defaultTimeoutMs,
                                                             LongFunction<CompletableFuture<?>> action) {
        if (!"POST".equals(method)) {
            return CompletableFuture.completedFuture(AdminServer.methodNotAllowed(method, "POST"));
        }
        CompletableFuture<?> running = action.apply(timeoutMs(body, defaultTimeoutMs));
        CompletableFuture<AdminServer.Reply> reply = running.handle((r, e) -> {
            if (e == null) {
                return new AdminServer.Reply(200, r);
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return new AdminServer.Reply(409, Map.of("result", "failed", "reason",
                    cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
        });
        return withdrawnWith(running, reply);
    }

    /** The server cancels {@code reply} when the client goes away: that withdraws {@code running}, the request itself. */
    private static CompletableFuture<AdminServer.Reply> withdrawnWith(CompletableFuture<?> running,
                                                                      CompletableFuture<AdminServer.Reply> reply) {
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                running.cancel(false);
            }
        });
        return reply;
    }

    /** A POST that changes how the source sends; answered with the flow in force after it. */
    private static CompletableFuture<AdminServer.Reply> flow(String method,
                                                             Supplier<CompletableFuture<FlowStatus>> change) {
        if (!"POST".equals(method)) {
            return CompletableFuture.completedFuture(AdminServer.methodNotAllowed(method, "POST"));
        }
        return change.get().thenApply(f -> new AdminServer.Reply(200, f));
    }

    /** The body's {@code timeout_ms}, or the default; refused unless 1 to {@value #MAX_TIMEOUT_MS}. */
    static long timeoutMs(JsonNode body, long defaultMs) {
        JsonNode t = body.path("timeout_ms");
        if (t.isMissingNode() || t.isNull()) {
            return defaultMs;
        }
        if (!t.canConvertToExactIntegral() || t.asLong() <= 0 || t.asLong() > MAX_TIMEOUT_MS) {
            throw new IllegalArgumentException("invalid timeout_ms: " + t + " (expected: an integer from 1 to "
                    + MAX_TIMEOUT_MS + ")");
        }
        return t.asLong();
    }

    /** The body's {@code freeze} list: absolute mount points, each once, at most {@value #MAX_FREEZE_PATHS}. */
    static List<Path> freezePaths(JsonNode freeze) throws IOException {
        if (freeze.isMissingNode() || freeze.isNull()) {
            return List.of();
        }
        if (!freeze.isArray() || freeze.size() > MAX_FREEZE_PATHS) {
            throw new IllegalArgumentException("invalid freeze: expected a list of at most " + MAX_FREEZE_PATHS
                    + " mount points");
        }
        Set<Path> paths = new LinkedHashSet<>();
        for (JsonNode n : freeze) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException("invalid freeze entry: " + n + " (expected: a mount point)");
            }
            paths.add(MountPoints.check(n.asText()));
        }
        return new ArrayList<>(paths);
    }
}
