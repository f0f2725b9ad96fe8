package io.replicator.target.launch;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.AdminServer;
import io.replicator.admin.AdminServer.Reply;
import io.replicator.protocol.guard.PeerText;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /launch}: body {@code {"source": ID, "checkpoint": "ID"|"latest", "out": DIR}}, with
 * {@code "map": {"NAME": "/dev/..."}} for volumes written onto devices. Each launch runs on a thread
 * of its own (it copies whole volumes), never on the admin endpoint's or the receiver's threads, so
 * replication and journaling go on; the answer comes when it is done. A refusal answers its status
 * (400, 404, 409) with the reason. Answers are documented in {@code docs/admin-api.md}. Thread-safe.
 */
public final class LaunchRoute implements AdminServer.CallerRoute {
    private static final Logger log = LoggerFactory.getLogger(LaunchRoute.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Launcher launcher;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "launch-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    public LaunchRoute(Launcher launcher) {
        this.launcher = launcher;
    }

    /**
     * The route for a receiver with data directory {@code dataDir}: first deletes the partial files of
     * launches a stopped receiver did not finish.
     */
    public static LaunchRoute start(LaunchHistories histories, Path dataDir) throws java.io.IOException {
        PartialLedger ledger = new PartialLedger(dataDir);
        ledger.deleteLeftovers();
        return new LaunchRoute(new Launcher(histories, ledger));
    }

    @Override
    public CompletableFuture<Reply> handle(String method, JsonNode body, String askedBy) {
        if (!"POST".equals(method)) {
            return CompletableFuture.completedFuture(AdminServer.methodNotAllowed(method, "POST"));
        }
        LaunchRequest request = request(body);
        log.info("launch of checkpoint {} of {} asked by {}", request.checkpoint(), request.sourceId(), askedBy);
        return CompletableFuture.supplyAsync(() -> run(request), threads);
    }

    private Reply run(LaunchRequest request) {
        try {
            return new Reply(200, launcher.launch(request));
        } catch (LaunchException e) {
            return failed(e.status(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(500, "the launch was interrupted");
        } catch (Exception e) {
            log.warn("launch of checkpoint {} of {} failed", request.checkpoint(), request.sourceId(), e);
            return failed(500, "the launch of checkpoint " + request.checkpoint() + " of " + request.sourceId()
                    + " failed: " + e.getMessage());
        }
    }

    static LaunchRequest request(JsonNode body) {
        String source = text(body, "source");
        JsonNode checkpoint = body.path("checkpoint");
        if (!(checkpoint.isTextual() || checkpoint.isIntegralNumber()) || checkpoint.asText().isEmpty()) {
            throw new IllegalArgumentException("the request needs \"checkpoint\": a checkpoint id or \"latest\"");
        }
        JsonNode out = body.path("out");
        if (!out.isMissingNode() && !out.isNull() && !out.isTextual()) {
            throw new IllegalArgumentException("\"out\" must be a directory's absolute path");
        }
        Map<String, Path> map = new LinkedHashMap<>();
        JsonNode mapped = body.path("map");
        if (!mapped.isMissingNode() && !mapped.isNull()) {
            if (!mapped.isObject()) {
                throw new IllegalArgumentException("\"map\" must be an object of volume names to device paths");
            }
            var fields = mapped.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                if (!field.getValue().isTextual() || !field.getValue().asText().startsWith("/")) {
                    throw new IllegalArgumentException("\"map\" of volume " + PeerText.escape(field.getKey())
                            + " must be a device's absolute path");
                }
                map.put(field.getKey(), Path.of(field.getValue().asText()));
            }
        }
        if (out.isTextual() ? out.asText().isEmpty() : map.isEmpty()) {
            throw new IllegalArgumentException("the request needs \"out\" (a directory) or \"map\" (volumes to devices)");
        }
        return new LaunchRequest(source, checkpoint.asText(), out.isTextual() ? Path.of(out.asText()) : null, map);
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("the request needs \"" + field + "\"");
        }
        return value.asText();
    }

    private static Reply failed(int status, String reason) {
        return new Reply(status, Map.of("result", "failed", "reason", reason));
    }
}
