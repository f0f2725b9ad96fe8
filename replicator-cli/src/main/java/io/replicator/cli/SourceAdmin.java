package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.source.CutoverResult;
import io.replicator.source.SourceDaemon;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The source daemon's admin routes: status, sync, verify, cutover, metrics. */
final class SourceAdmin {
    static final long DEFAULT_CUTOVER_TIMEOUT_MS = 600_000;

    private SourceAdmin() {
    }

    static AdminServer register(AdminServer server, SourceDaemon daemon, PrometheusMeterRegistry registry) {
        return server
                .route("/status", (method, body) -> new AdminServer.Reply(200, daemon.status()))
                .route("/metrics", (method, body) -> new AdminServer.Reply(200, registry.scrape()))
                .route("/sync", (method, body) -> post(method, () -> daemon.sync(), body, Long.MAX_VALUE))
                .route("/verify", (method, body) -> post(method, () -> daemon.verify(), body, Long.MAX_VALUE))
                .route("/cutover", (method, body) -> {
                    if (!"POST".equals(method)) {
                        return AdminServer.methodNotAllowed(method, "POST");
                    }
                    long timeoutMs = body.path("timeout_ms").asLong(DEFAULT_CUTOVER_TIMEOUT_MS);
                    if (timeoutMs <= 0) {
                        throw new IllegalArgumentException("invalid timeout_ms: " + timeoutMs + " (expected: > 0)");
                    }
                    List<Path> freeze = new ArrayList<>();
                    for (JsonNode n : body.path("freeze")) {
                        freeze.add(Path.of(n.asText()));
                    }
                    CutoverResult r = daemon.cutover(freeze, timeoutMs).get(timeoutMs + 60_000, TimeUnit.MILLISECONDS);
                    return new AdminServer.Reply(200, r);
                });
    }

    private static AdminServer.Reply post(String method, java.util.function.Supplier<CompletableFuture<?>> action,
                                          JsonNode body, long timeoutMs) throws Exception {
        if (!"POST".equals(method)) {
            return AdminServer.methodNotAllowed(method, "POST");
        }
        try {
            return new AdminServer.Reply(200, action.get().get(timeoutMs, TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
            return new AdminServer.Reply(409, Map.of("result", "failed", "reason",
                    String.valueOf(e.getCause().getMessage())));
        }
    }
}
