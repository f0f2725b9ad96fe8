package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.AdminServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A source daemon's admin endpoint with canned answers, on 127.0.0.1, for the tests of the wave
 * orchestrator: a real {@link AdminServer} (token, HTTP, withdrawal of a request whose client goes
 * away) whose two-phase cutover routes answer as {@link Prepare} says. Records every request it
 * got. Thread-safe.
 */
final class StubSource implements AutoCloseable {
    /** How the stub answers {@code /cutover/prepare}. */
    enum Prepare {
        /** Verified and held. */
        VERIFY,
        /** 409: its freeze failed, thawed. */
        FAIL_FREEZE,
        /** No answer until the request is withdrawn (a server still draining). */
        HOLD,
        /** No two-phase routes: an older daemon with the one-shot {@code /cutover} only. */
        ONE_SHOT
    }

    final String id;
    private final AdminServer server;
    /** Every request as "METHOD /path body", in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    final CountDownLatch prepareWithdrawn = new CountDownLatch(1);
    final CountDownLatch prepareReceived = new CountDownLatch(1);
    volatile String state = "continuous";
    volatile JsonNode syncAnswer;
    /** What {@code /verify} answers (200); null: ok. */
    volatile JsonNode verifyAnswer;

    StubSource(String id, Prepare prepare) throws IOException {
        this.id = id;
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), null)
                .route("/status", (m, b) -> reply(m, b, "/status", Map.of("id", id, "state", state)))
                .route("/sync", (m, b) -> {
                    record(m, "/sync", b);
                    return syncAnswer == null ? new AdminServer.Reply(200, Map.of("result", "ok"))
                            : new AdminServer.Reply(409, syncAnswer);
                })
                .route("/verify", (m, b) -> reply(m, b, "/verify", verifyAnswer == null ? Map.of("result", "ok")
                        : verifyAnswer))
                .route("/cutover", (m, b) -> reply(m, b, "/cutover", oneShotAnswer()))
                .route("/cutover/commit", (m, b) -> reply(m, b, "/cutover/commit", Map.of("result", "ok",
                        "fenced", true, "freeze_ms", 1500, "thawed_utc", Instant.now().toString(),
                        "file_systems", "thawed")))
                .route("/cutover/abort", (m, b) -> reply(m, b, "/cutover/abort", Map.of("result", "aborted",
                        "file_systems", "thawed", "freeze_ms", 700)));
        if (prepare != Prepare.ONE_SHOT) {
            server.routeAsync("/cutover/prepare", (m, b) -> prepare(prepare, b));
        }
        server.start();
    }

    String admin() {
        return "127.0.0.1:" + server.address().getPort();
    }

    InetSocketAddress address() {
        return server.address();
    }

    long count(String path) {
        return requests.stream().filter(r -> r.split(" ")[1].equals(path)).count();
    }

    /** The body of the last request to {@code path}. */
    JsonNode body(String path) throws IOException {
        for (int i = requests.size() - 1; i >= 0; i--) {
            String[] r = requests.get(i).split(" ", 3);
            if (r[1].equals(path)) {
                return io.replicator.admin.Json.MAPPER.readTree(r[2]);
            }
        }
        throw new AssertionError(id + " got no request to " + path + ": " + requests);
    }

    private void record(String method, String path, JsonNode body) {
        requests.add(method + " " + path + " " + body);
    }

    private AdminServer.Reply reply(String method, JsonNode body, String path, Object answer) {
        record(method, path, body);
        return new AdminServer.Reply(200, answer);
    }

    private CompletableFuture<AdminServer.Reply> prepare(Prepare how, JsonNode body) {
        record("POST", "/cutover/prepare", body);
        prepareReceived.countDown();
        Instant now = Instant.now();
        return switch (how) {
            case VERIFY -> CompletableFuture.completedFuture(new AdminServer.Reply(200, Map.of("result", "verified",
                    "source", id, "wave_id", body.path("wave_id").asText(), "asked_by", "loopback",
                    "freeze_started_utc", now.minusMillis(900).toString(), "verified_utc", now.toString(),
                    "final_sync_bytes", 65536, "file_systems", "frozen",
                    "volumes", List.of(Map.of("name", "root", "size_bytes", 1 << 20, "final_sync_bytes", 65536,
                            "checksum_source", "ab12", "checksum_target", "ab12", "verified", true)))));
            case FAIL_FREEZE -> CompletableFuture.completedFuture(new AdminServer.Reply(409, Map.of("result",
                    "failed", "phase", "freezing", "reason", "cannot freeze /srv/x: Operation not supported",
                    "file_systems", "not_frozen")));
            case HOLD -> {
                CompletableFuture<AdminServer.Reply> never = new CompletableFuture<>();
                never.whenComplete((r, e) -> prepareWithdrawn.countDown());
                yield never;
            }
            case ONE_SHOT -> throw new IllegalStateException("no route");
        };
    }

    private static Map<String, Object> oneShotAnswer() {
        return Map.of("result", "ok", "verified", true, "downtime_ms", 420, "final_sync_bytes", 4096,
                "drain_ms", 10, "barrier_ms", 5, "verify_ms", 400, "file_systems", "none",
                "volumes", List.of(Map.of("name", "root", "size_bytes", 1 << 20, "checksum_source", "cd34",
                        "checksum_target", "cd34")));
    }

    @Override
    public void close() {
        server.close();
    }
}
