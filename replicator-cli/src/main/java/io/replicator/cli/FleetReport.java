package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.protocol.text.Rates;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * {@code ./replicator status --admin RECEIVER} as a table: the fleet, every source the receiver
 * knows, connected or not, and per volume what is durable, the lag as the receiver sees it and the
 * receive rate; a source sealed by a cutover says so under its rows, and a source's history (launchable
 * checkpoints, journal size, history held against asked) follows them. Stateless.
 */
final class FleetReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private FleetReport() {
    }

    static void print(PrintWriter out, JsonNode s) {
        out.printf("receiver: %d sources, limit %s; rates since the receiver started at %s%n",
                s.path("sources").size(), FlowAnswers.limit(s), time(s.path("started_at_ms")));
        out.printf("%-20s %-12s %-19s %-22s %-16s %10s %10s %8s %12s%n", "SOURCE", "STATE", "LAST SEEN", "FROM",
                "VOLUME", "SIZE", "DURABLE", "LAG", "RECEIVING");
        for (JsonNode src : s.path("sources")) {
            String head = String.format("%-20s %-12s %-19s %-22s", src.path("id").asText(),
                    src.path("state").asText(src.path("connected").asBoolean() ? "connected" : "disconnected"),
                    time(src.path("last_seen_ms")), src.path("remote_address").asText("-"));
            if (src.path("volumes").isEmpty()) {
                out.println(head);
            }
            for (JsonNode v : src.path("volumes")) {
                out.printf("%s %-16s %10s %10s %5d ms %12s%n", head, v.path("name").asText(),
                        Units.formatBytes(v.path("size_bytes").asLong()),
                        Units.formatBytes(v.path("durable_bytes").asLong()), v.path("lag_ms").asLong(),
                        Rates.format(v.path("receive_bytes_per_second").asLong()));
                head = String.format("%-20s %-12s %-19s %-22s", "", "", "", "");
            }
            if (src.path("history").isObject()) {
                history(out, src.path("history"));
            }
            if (src.path("sealed").isObject()) {
                out.printf("  SEALED: cut over at %s (report %s); nothing more is taken from it until 'replicator "
                        + "release --source %s'%n", src.path("sealed").path("sealed_utc").asText(),
                        src.path("sealed").path("report_id").asText(), src.path("id").asText());
            }
        }
    }

    /** The source's history: launchable checkpoints, journal size, held against asked. */
    private static void history(PrintWriter out, JsonNode h) {
        out.printf("  HISTORY: launchable %s to %s, %d checkpoint(s) listed, journal %s, held %s of %s asked%s%s%n",
                point(h.path("oldest_launchable")), point(h.path("newest_launchable")), h.path("checkpoints").asInt(),
                Units.formatBytes(h.path("journal_bytes").asLong()), hours(h.path("held_ms").asLong()),
                hours(h.path("asked_ms").asLong()), h.path("history_short").asBoolean() ? "; SHORTER THAN ASKED" : "",
                h.path("gap").asBoolean() ? "; GAP: undo not kept (journal disk full)" : "");
    }

    private static String point(JsonNode p) {
        return p.isObject() ? "#" + p.path("id").asLong() + " (" + time(p.path("time_ms")) + ")" : "-";
    }

    private static String hours(long ms) {
        return String.format("%.1f h", ms / 3_600_000.0);
    }

    private static String time(JsonNode epochMs) {
        return epochMs.isNumber() && epochMs.asLong() > 0 ? TIME.format(Instant.ofEpochMilli(epochMs.asLong())) : "-";
    }
}
