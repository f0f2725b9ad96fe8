package io.replicator.source.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.admin.Json;
import io.replicator.admin.RateLimitBody;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.source.CommitResult;
import io.replicator.source.CutoverReportRequest;
import io.replicator.source.CutoverResult;
import io.replicator.source.FlowStatus;
import io.replicator.source.OperationRefusedException;
import io.replicator.source.SourceDaemon;
import io.replicator.source.checkpoint.CheckpointResult;
import io.replicator.source.cutover.MountPoints;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The source daemon's admin routes: status, sync, verify, cutover (one-shot, or a wave's prepare,
 * commit and abort), checkpoint, thaw, release, pause, resume, throttle, metrics. {@code status} answers within a
 * second whatever else runs; sync, verify and cutover run with the deadline their body names ({@code
 * timeout_ms}, at most {@value #MAX_TIMEOUT_MS} ms), are withdrawn when their client goes away, and one
 * at a time: another asked meanwhile is refused at once (409, {@code result: refused}) naming the one
 * running, when it started and who asked (the admin certificate's name, or {@code loopback}). The
 * daemon's endpoint: {@link #start} binds it, with the daemon's bundle and revocation list, on the
 * address the admin gave.
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
                .routeAsync("/pause", (method, body) -> flow(method, daemon::pause))
                .routeAsync("/resume", (method, body) -> flow(method, daemon::resume))
                .routeAsync("/throttle", (method, body) ->
                        flow(method, () -> daemon.throttle(RateLimitBody.maxRateBytesPerSecond(body))))
                .routeAsync("/sync", (AdminServer.CallerRoute) (method, body, askedBy) -> post(method, () -> daemon.sync(
                        timeoutMs(body, SourceDaemon.DEFAULT_REQUEST_TIMEOUT_MS), askedBy), r -> 200))
                .routeAsync("/verify", (AdminServer.CallerRoute) (method, body, askedBy) -> post(method, () ->
                        daemon.verify(timeoutMs(body, SourceDaemon.DEFAULT_REQUEST_TIMEOUT_MS), askedBy), r -> 200))
                .routeAsync("/cutover", (AdminServer.CallerRoute) (method, body, askedBy) -> post(method, () ->
                        daemon.cutover(freezePaths(body.path("freeze")), timeoutMs(body, DEFAULT_CUTOVER_TIMEOUT_MS),
                                askedBy), r -> 200))
                .routeAsync("/cutover/prepare", (AdminServer.CallerRoute) (method, body, askedBy) -> post(method, () ->
                        daemon.prepare(freezePaths(body.path("freeze")), timeoutMs(body, DEFAULT_CUTOVER_TIMEOUT_MS),
                                waveId(body, true), askedBy), r -> r instanceof CutoverResult ? 409 : 200))
                .routeAsync("/cutover/commit", (method, body) -> post(method, () -> daemon.commit(report(body, true)),
                        SourceAdmin::status))
                .routeAsync("/cutover/abort", (method, body) -> post(method, () -> daemon.abort(report(body, false),
                        text(body, "reason", "asked by the admin")), SourceAdmin::status))
                .routeAsync("/checkpoint", (AdminServer.CallerRoute) (method, body, askedBy) -> post(method, () ->
                        daemon.checkpoint(freezePaths(body.path("freeze")), label(body), askedBy),
                        r -> r instanceof CheckpointResult c && c.ok() ? 200 : 409))
                .routeAsync("/thaw", (method, body) -> post(method, daemon::thaw, SourceAdmin::status))
                .routeAsync("/release", (method, body) -> post(method, () -> daemon.release().thenApply(words -> {
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("result", "ok");
                    answer.put("reason", words);
                    return answer;
                }), r -> 200));
    }

    /** What can be started and answered later: a request of a route. */
    @FunctionalInterface
    private interface Action {
        CompletableFuture<?> start() throws IOException;
    }

    private static int status(Object r) {
        return r instanceof CommitResult c && !c.ok() ? 409 : 200;
    }

    /**
     * A POST whose answer is the future's value (with the status {@code status} gives it) or its failure:
     * 409 {@code refused} naming the operation that runs, else 409 {@code failed} with the reason.
     */
    private static CompletableFuture<AdminServer.Reply> post(String method, Action action,
                                                             Function<Object, Integer> status) throws IOException {
        if (!"POST".equals(method)) {
            return CompletableFuture.completedFuture(AdminServer.methodNotAllowed(method, "POST"));
        }
        CompletableFuture<?> running = action.start();
        CompletableFuture<AdminServer.Reply> reply = running.handle((r, e) -> {
            if (e == null) {
                return new AdminServer.Reply(status.apply(r), r);
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof OperationRefusedException refused) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("result", "refused");
                answer.put("reason", refused.getMessage());
                answer.put("running", refused.running());
                return new AdminServer.Reply(409, answer);
            }
            return new AdminServer.Reply(409, Map.of("result", "failed", "reason",
                    cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
        });
        return withdrawnWith(running, reply);
    }

    /** The body's {@code wave_id}: letters, digits, {@code - _ .}, at most 128; required or null when {@code required} is false. */
    static String waveId(JsonNode body, boolean required) {
        JsonNode w = body.path("wave_id");
        if (w.isMissingNode() || w.isNull()) {
            if (required) {
                throw new IllegalArgumentException("missing wave_id (expected: the wave's id, e.g. "
                        + "wave-20261207T101500Z-3f2a)");
            }
            return null;
        }
        String id = w.asText();
        try {
            CutoverReport.checkReportId(id);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid wave_id: " + w + " (expected: 1 to 128 letters, digits, "
                    + "'-', '_', '.')");
        }
        return id;
    }

    /**
     * The report a commit or an abort carries: {@code wave_id}, {@code report_id}, {@code report_json} (an
     * object, or a string holding one), {@code report_markdown}, and for a commit {@code after}
     * ({@code thaw} or {@code keep-frozen}) and {@code max_frozen_ms}. A commit needs all of the report.
     */
    static CutoverReportRequest report(JsonNode body, boolean commit) throws IOException {
        String waveId = waveId(body, commit);
        JsonNode id = body.path("report_id");
        String reportId = id.isTextual() ? id.asText() : null;
        if (reportId != null) {
            try {
                CutoverReport.checkReportId(reportId);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("invalid report_id: " + id + " (expected: 1 to 128 letters, "
                        + "digits, '-', '_', '.')");
            }
        }
        JsonNode json = body.path("report_json");
        String reportJson = json.isTextual() ? json.asText() : json.isObject() ? Json.MAPPER.writeValueAsString(json)
                : null;
        String markdown = text(body, "report_markdown", null);
        for (String text : new String[] {reportJson, markdown}) {
            if (text != null && text.getBytes(StandardCharsets.UTF_8).length
                    > CutoverReport.MAX_TEXT_BYTES) {
                throw new IllegalArgumentException("a report text is over "
                        + CutoverReport.MAX_TEXT_BYTES + " bytes");
            }
        }
        if (commit && (reportId == null || reportJson == null || markdown == null)) {
            throw new IllegalArgumentException("a commit needs the report to keep with the seal: report_id, "
                    + "report_json and report_markdown");
        }
        String after = text(body, "after", "thaw");
        if (!after.equals("thaw") && !after.equals("keep-frozen")) {
            throw new IllegalArgumentException("invalid after: '" + after + "' (expected: thaw or keep-frozen)");
        }
        long maxFrozenMs = body.has("max_frozen_ms") ? boundedMs(body.path("max_frozen_ms"), "max_frozen_ms")
                : CutoverReportRequest.DEFAULT_MAX_FROZEN_MS;
        return new CutoverReportRequest(waveId, reportId, reportJson, markdown, after.equals("keep-frozen"),
                maxFrozenMs);
    }

    /** The body's {@code label}: text of at most {@link Checkpoint#MAX_LABEL_BYTES} bytes, or null. */
    static String label(JsonNode body) {
        JsonNode l = body.path("label");
        if (l.isMissingNode() || l.isNull()) {
            return null;
        }
        if (!l.isTextual() || l.asText().getBytes(StandardCharsets.UTF_8).length > Checkpoint.MAX_LABEL_BYTES) {
            throw new IllegalArgumentException("invalid label: expected text of at most " + Checkpoint.MAX_LABEL_BYTES
                    + " bytes");
        }
        return l.asText();
    }

    private static String text(JsonNode body, String field, String orElse) {
        JsonNode n = body.path(field);
        return n.isTextual() ? n.asText() : orElse;
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
        return boundedMs(t, "timeout_ms");
    }

    private static long boundedMs(JsonNode t, String field) {
        if (!t.canConvertToExactIntegral() || t.asLong() <= 0 || t.asLong() > MAX_TIMEOUT_MS) {
            throw new IllegalArgumentException("invalid " + field + ": " + t + " (expected: an integer from 1 to "
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
