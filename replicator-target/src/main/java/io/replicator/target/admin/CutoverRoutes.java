package io.replicator.target.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.AdminServer;
import io.replicator.admin.AdminServer.Reply;
import io.replicator.protocol.guard.PeerText;
import io.replicator.target.cutover.Cutovers;
import io.replicator.target.cutover.ReportStore;
import io.replicator.target.cutover.Seal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The receiver's routes over its cutover records: {@code /reports} lists the reports kept, {@code
 * /report} gives one ({@code {"id": ID}} in the body), {@code POST /release} lifts a source's seal
 * ({@code {"source": ID}}). Answers are documented in {@code docs/admin-api.md}. Stateless apart from
 * the records it is given; thread-safe.
 */
final class CutoverRoutes {
    private final Cutovers cutovers;

    CutoverRoutes(Cutovers cutovers) {
        this.cutovers = cutovers;
    }

    Reply reports(String method, JsonNode body) throws IOException {
        return new Reply(200, Map.of("reports", cutovers.reports().list()));
    }

    Reply report(String method, JsonNode body) throws IOException {
        String id = required(body, "id", "{\"id\": \"REPORT_ID\"}");
        Optional<ReportStore.Stored> stored = cutovers.reports().read(id);
        if (stored.isEmpty()) {
            return notFound("no cutover report '" + id + "' is kept on this receiver (replicator reports lists them)");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", stored.get().id());
        answer.put("report", stored.get().report());
        answer.put("markdown", stored.get().markdown());
        return new Reply(200, answer);
    }

    /**
     * Lifts the seal of the body's {@code source}, logging {@code askedBy} (the admin certificate's
     * name, or loopback). Runs off the event loop: it removes a file and forces its directory.
     */
    Reply release(String method, JsonNode body, String askedBy) {
        if (!"POST".equals(method)) {
            return AdminServer.methodNotAllowed(method, "POST");
        }
        String source = required(body, "source", "{\"source\": \"SOURCE_ID\"} (replicator release --source ID)");
        Optional<Seal> released;
        try {
            released = cutovers.release(source, askedBy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lift the seal of source " + PeerText.escape(source) + ": " + e, e);
        }
        if (released.isEmpty()) {
            return notFound("source '" + PeerText.escape(source) + "' is not sealed on this receiver: nothing to "
                    + "release");
        }
        Seal seal = released.get();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("source", seal.sourceId());
        answer.put("sealed_utc", seal.sealedUtc());
        answer.put("report_id", seal.reportId());
        answer.put("volumes", seal.volumes());
        return new Reply(200, answer);
    }

    private static String required(JsonNode body, String field, String example) {
        JsonNode value = body.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("the request needs a body " + example + " naming the " + field);
        }
        return value.asText();
    }

    private static Reply notFound(String reason) {
        return new Reply(404, Map.of("result", "failed", "reason", reason));
    }
}
