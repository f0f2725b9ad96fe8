package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.source.Outcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code ./replicator status}: what a daemon is doing, as a table or one JSON object. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows a daemon's replication state, per volume: synced, backlog, sent, lag.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    AdminOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode status;
        try {
            status = options.client().get("/status", 15_000);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            out.println(status.toString());
        } else if (status.has("sources")) {
            printTarget(out, status);
        } else {
            printSource(out, status);
        }
        out.flush();
        return Outcome.FAILED.toString().equals(status.path("result").asText()) ? Main.EXIT_FAILED : 0;
    }

    static void printSource(PrintWriter out, JsonNode s) {
        out.printf("source %s  state %s  target %s (%s)%n", s.path("id").asText(), s.path("state").asText(),
                s.path("target").asText(), connection(s));
        out.printf("tracker %s: %s%n", s.path("tracker").asText(), s.path("tracker_reason").asText());
        if (!s.path("frozen").isEmpty()) {
            out.printf("FROZEN by the cutover running now: %s%n", s.path("frozen"));
        }
        if (s.path("stale_ms").asLong() > 0) {
            out.printf("the sync agent is not answering: these figures are %d ms old (busy, or stuck: its log says)%n",
                    s.path("stale_ms").asLong());
        }
        JsonNode rescan = s.path("rescan");
        if (rescan.isObject() && rescan.path("running").asBoolean()) {
            long total = rescan.path("total_bytes").asLong();
            out.printf("rescan %.1f%% of %s: %s%n", total == 0 ? 100 : 100.0 * rescan.path("done_bytes").asLong() / total,
                    Units.formatBytes(total), rescan.path("reason").asText());
        } else if (rescan.isObject()) {
            out.printf("last rescan (done): %s%n", rescan.path("reason").asText());
        }
        out.printf("%-16s %10s %8s %10s %10s %8s%n", "VOLUME", "SIZE", "SYNCED", "BACKLOG", "SENT", "LAG");
        for (JsonNode v : s.path("volumes")) {
            long size = v.path("size_bytes").asLong();
            double pct = size == 0 ? 100 : 100.0 * v.path("synced_bytes").asLong() / size;
            out.printf("%-16s %10s %7.1f%% %10s %10s %6d ms%n", v.path("name").asText(), Units.formatBytes(size), pct,
                    Units.formatBytes(v.path("backlog_bytes").asLong()), Units.formatBytes(v.path("sent_bytes").asLong()),
                    v.path("lag_ms").asLong());
            if (v.path("unreplicated_bytes").asLong() > 0) {
                out.printf("  %s written after the cutover and NOT replicated%n",
                        Units.formatBytes(v.path("unreplicated_bytes").asLong()));
            }
        }
    }

    /** "connected", or why not and when the next attempt is: {@code not connected: WHY; next attempt in 12.4 s (attempt 6)}. */
    private static String connection(JsonNode s) {
        if (s.path("connected").asBoolean()) {
            return "connected";
        }
        String text = "not connected" + (s.path("last_error").isTextual() ? ": " + s.path("last_error").asText() : "");
        if (s.path("next_attempt_ms").isNumber()) {
            text += String.format(Locale.ROOT, "; next attempt in %.1f s (attempt %d)",
                    s.path("next_attempt_ms").asLong() / 1000.0, s.path("failed_attempts").asInt() + 1);
        }
        return text;
    }

    static void printTarget(PrintWriter out, JsonNode s) {
        out.printf("%-16s %-10s %-22s %12s  %s%n", "SOURCE", "CONNECTED", "FROM", "DURABLE SEQ", "VOLUMES");
        for (JsonNode src : s.path("sources")) {
            StringBuilder vols = new StringBuilder();
            for (JsonNode v : src.path("volumes")) {
                vols.append(v.path("name").asText()).append(" (").append(Units.formatBytes(v.path("size_bytes").asLong()))
                        .append(", ").append(Units.formatBytes(v.path("bytes_written").asLong())).append(" written) ");
            }
            out.printf("%-16s %-10s %-22s %12d  %s%n", src.path("id").asText(), src.path("connected").asBoolean(),
                    src.path("remote_address").asText("-"), src.path("durable_sequence").asLong(), vols.toString().trim());
            if (src.path("sealed").isObject()) {
                out.printf("  SEALED: cut over at %s (report %s); nothing more is taken from it until 'replicator "
                        + "release --source %s'%n", src.path("sealed").path("sealed_utc").asText(),
                        src.path("sealed").path("report_id").asText(), src.path("id").asText());
            }
        }
    }
}
