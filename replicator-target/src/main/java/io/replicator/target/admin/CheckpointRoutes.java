package io.replicator.target.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.AdminServer;
import io.replicator.admin.AdminServer.Reply;
import io.replicator.protocol.guard.PeerText;
import io.replicator.target.apply.SourceHistories;
import io.replicator.target.journal.CheckpointInfo;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /checkpoints[?source=ID]}: the checkpoints the receiver keeps, per source oldest first,
 * launchable or not. Documented in {@code docs/admin-api.md}. Thread-safe.
 */
final class CheckpointRoutes {
    private final SourceHistories histories;

    CheckpointRoutes(SourceHistories histories) {
        this.histories = histories;
    }

    Reply checkpoints(String method, JsonNode body) throws IOException {
        if (!"GET".equals(method)) {
            return AdminServer.methodNotAllowed(method, "GET");
        }
        JsonNode source = body.path("source");
        List<SourceHistories.History> chosen;
        if (source.isTextual() && !source.asText().isEmpty()) {
            Optional<SourceHistories.History> one = histories.find(source.asText());
            if (one.isEmpty()) {
                return new Reply(404, Map.of("result", "failed", "reason", "source '" + PeerText.escape(source.asText())
                        + "' has no history on this receiver (no checkpoint recorded, no journal)"));
            }
            chosen = List.of(one.get());
        } else {
            chosen = histories.all();
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (SourceHistories.History history : chosen) {
            for (CheckpointInfo c : history.catalog().list()) {
                list.add(entry(c));
            }
        }
        return new Reply(200, Map.of("checkpoints", list));
    }

    static Map<String, Object> entry(CheckpointInfo c) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("source", c.sourceId());
        e.put("id", c.checkpointId());
        e.put("time", Instant.ofEpochMilli(c.timeMs()).toString());
        e.put("time_ms", c.timeMs());
        e.put("label", c.label());
        e.put("freeze_ms", c.freezeMs());
        e.put("volumes", c.volumes());
        e.put("bytes_since_previous", c.bytesSincePrevious());
        e.put("state", c.state().name().toLowerCase(java.util.Locale.ROOT));
        e.put("launchable", c.launchable());
        e.put("reason", c.reason());
        return e;
    }
}
