package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.protocol.text.HostPort;
import io.replicator.protocol.text.Rates;
import io.replicator.source.Outcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./replicator status}: what a daemon is doing, as a table or one JSON object. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows a daemon's replication state, per volume: synced, backlog, sent, lag.")
final class StatusCommand implements Callable<Integer> {
    static final long WATCH_INTERVAL_MS = 1000;

    @Mixin
    AdminOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--watch", description = "Redraw the table every second, with a progress bar and an ETA per "
            + "volume, until Ctrl-C: for a person at a terminal (scripts read --json).")
    boolean watch;

    @Override
    public Integer call() throws InterruptedException {
        if (watch) {
            if (options.json) {
                throw new Main.UsageException("--watch draws for a terminal; a script polls 'status --json' instead");
            }
            watch(Long.MAX_VALUE);
            return 0;
        }
        JsonNode status;
        try {
            status = options.client().get("/status", 15_000);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            out.println(status.toString());
        } else if (isReceiver(status)) {
            FleetReport.print(out, status);
        } else {
            printSource(out, status);
        }
        out.flush();
        return Outcome.FAILED.toString().equals(status.path("result").asText()) ? Main.EXIT_FAILED : 0;
    }

    /** Draws {@code frames} frames a second apart (a receiver's fleet as its plain table), or until interrupted. */
    void watch(long frames) throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        AdminClient client = options.client();
        WatchView view = new WatchView();
        long lastNs = 0;
        for (long frame = 0; frame < frames; frame++) {
            if (frame > 0) {
                Thread.sleep(WATCH_INTERVAL_MS);
            }
            JsonNode status;
            try {
                status = client.get("/status", 15_000);
            } catch (IOException e) {
                throw new Main.UsageException(e.getMessage(), e);
            }
            long nowNs = System.nanoTime();
            out.print(WatchView.CLEAR);
            out.printf("replicator status --watch  %s  %s  (Ctrl-C to stop)%n", HostPort.format(options.admin),
                    Instant.now().truncatedTo(ChronoUnit.SECONDS));
            if (isReceiver(status)) {
                FleetReport.print(out, status);
            } else {
                view.drawSource(out, status, lastNs == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(nowNs - lastNs));
            }
            out.flush();
            lastNs = nowNs;
        }
    }

    /** Whether {@code status} is a receiver's answer (its {@code role}; before that field, its {@code sources}). */
    static boolean isReceiver(JsonNode status) {
        return "receiver".equals(status.path("role").asText()) || status.has("sources");
    }

    /** Adaptive pacing in one line, when it is on: what it does and why. */
    private static void printPacing(PrintWriter out, JsonNode pacing) {
        if (!pacing.isObject() || "off".equals(pacing.path("state").asText())) {
            return;
        }
        JsonNode rate = pacing.path("rate_bytes_per_second");
        out.printf("adaptive pacing: %s%s (--max-cpu %d%%, --max-pacing-lag %d ms): %s%n",
                pacing.path("state").asText().replace('_', ' '), rate.isNumber() ? " at " + Rates.format(rate.asLong())
                        : "", pacing.path("max_cpu_percent").asInt(), pacing.path("max_lag_ms").asLong(),
                pacing.path("reason").asText());
    }

    static void printSource(PrintWriter out, JsonNode s) {
        out.printf("source %s  state %s  target %s (%s)%n", s.path("id").asText(), s.path("state").asText(),
                s.path("target").asText(), connection(s));
        out.printf("tracker %s: %s%n", s.path("tracker").asText(), s.path("tracker_reason").asText());
        out.printf("sending %s, limit %s%n", s.path("paused").asBoolean() ? "PAUSED (replicator resume)" : "on",
                FlowAnswers.limit(s));
        printPacing(out, s.path("pacing"));
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
            if (!v.path("forecast").asText().isEmpty()) {
                out.printf("  %s%s%n", v.path("forecast").asText(), eta(v));
            }
            if (v.path("unreplicated_bytes").asLong() > 0) {
                out.printf("  %s written after the cutover and NOT replicated%n",
                        Units.formatBytes(v.path("unreplicated_bytes").asLong()));
            }
        }
    }

    /** {@code ; initial sync done in 42 s}, or nothing when it is done or nothing was measured. */
    private static String eta(JsonNode v) {
        JsonNode eta = v.path("initial_sync_eta_ms");
        if (!eta.isNumber() || eta.asLong() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "; initial sync done in %d s", (eta.asLong() + 999) / 1000);
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
}
