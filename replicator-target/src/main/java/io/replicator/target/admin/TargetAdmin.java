package io.replicator.target.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.admin.RateLimitBody;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.target.TargetServer;
import io.replicator.target.launch.LaunchRoute;
import io.replicator.target.launch.ReceiverHistories;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The receiver's admin routes: status (every source it knows), throttle, metrics, and the cutover
 * records: {@code /reports}, {@code /report} and {@code /release} ({@link CutoverRoutes}), and the
 * sources' checkpoints: {@code /checkpoints} ({@link CheckpointRoutes}), and {@code POST /launch}
 * ({@link LaunchRoute}). Stateless.
 */
public final class TargetAdmin {
    private TargetAdmin() {
    }

    /** The answer to {@code /throttle}: the limit on bytes received over all sources now, null for none. */
    public record Throttled(Long maxRateBytesPerSecond) {
    }

    /**
     * Starts {@code server}'s endpoint on {@code address}: plain HTTP with the token on loopback, else
     * HTTPS with the receiver's certificate {@code pki}, following its revocation list; {@code /metrics}
     * scrapes {@code registry}, the one the receiver was started with.
     *
     * @throws IOException naming the address when it cannot listen
     * @throws IllegalArgumentException when {@code address} is not loopback and {@code pki} is null
     */
    public static AdminServer start(InetSocketAddress address, PkiBundle pki, TargetServer server,
                                    PrometheusMeterRegistry registry) throws IOException {
        CutoverRoutes cutovers = new CutoverRoutes(server.cutovers());
        CheckpointRoutes checkpoints = new CheckpointRoutes(server.histories());
        return new AdminServer(address, pki, server.crl())
                .route("/status", (method, body) -> new AdminServer.Reply(200, server.status()))
                .route("/metrics", (method, body) -> new AdminServer.Reply(200, registry.scrape()))
                .route("/reports", cutovers::reports)
                .route("/checkpoints", checkpoints::checkpoints)
                .routeAsync("/launch", LaunchRoute.start(ReceiverHistories.of(server), server.config().dataDir()))
                .route("/report", cutovers::report)
                .routeAsync("/release", (AdminServer.CallerRoute) (method, body, askedBy) -> CompletableFuture
                        .supplyAsync(() -> cutovers.release(method, body, askedBy)))
                .route("/throttle", (method, body) -> {
                    if (!"POST".equals(method)) {
                        return AdminServer.methodNotAllowed(method, "POST");
                    }
                    server.throttle(RateLimitBody.maxRateBytesPerSecond(body));
                    Long rate = server.status().maxRateBytesPerSecond();
                    return new AdminServer.Reply(200, new Throttled(rate));
                })
                .start();
    }
}
