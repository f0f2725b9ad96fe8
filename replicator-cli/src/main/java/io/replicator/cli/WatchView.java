package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code status --watch}: one screen a second for a person at a terminal, a progress bar and an
 * ETA per volume. The ETA of a volume in its initial sync is what is left to copy over the rate it
 * is being copied; after it, the backlog over the send rate. Rates are measured between two frames
 * and smoothed. Not thread-safe: owned by the command's thread, fed one status after another with
 * the time between them (so a test gives its own clock).
 */
final class WatchView {
    /** Clears the screen and puts the cursor home (ANSI), before each frame. */
    static final String CLEAR = "\033[H\033[2J";
    static final int BAR_WIDTH = 24;
    /** Weight of the newest rate in the smoothed one. */
    private static final double SMOOTHING = 0.3;

    private final Map<String, Long> lastSynced = new HashMap<>();
    private final Map<String, Long> lastSent = new HashMap<>();
    private final Map<String, Double> syncRate = new HashMap<>();
    private final Map<String, Double> sendRate = new HashMap<>();

    /** Draws the frame of a source's {@code status}, {@code elapsedMs} after the last one (0 for the first). */
    void drawSource(PrintWriter out, JsonNode s, long elapsedMs) {
        out.printf("source %s  state %s  target %s (%s)%n", s.path("id").asText(), s.path("state").asText(),
                s.path("target").asText(), s.path("connected").asBoolean() ? "connected" : "not connected");
        out.printf("%-16s %10s  %-" + (BAR_WIDTH + 2) + "s %6s %10s %12s %9s %9s%n", "VOLUME", "SIZE", "SYNCED", "",
                "BACKLOG", "RATE", "LAG", "ETA");
        for (JsonNode v : s.path("volumes")) {
            String name = v.path("name").asText();
            long size = v.path("size_bytes").asLong();
            long synced = v.path("synced_bytes").asLong();
            long backlog = v.path("backlog_bytes").asLong();
            double copyRate = rate(syncRate, lastSynced, name, synced, elapsedMs);
            double wireRate = rate(sendRate, lastSent, name, v.path("sent_bytes").asLong(), elapsedMs);
            boolean copying = synced < size;
            double shown = copying ? copyRate : wireRate;
            out.printf("%-16s %10s  %s %5.1f%% %10s %12s %9s %9s%n", name, Units.formatBytes(size), bar(synced, size),
                    size == 0 ? 100.0 : 100.0 * synced / size, Units.formatBytes(backlog),
                    Double.isNaN(shown) ? "-" : Units.formatBytes((long) shown) + "/s",
                    duration(v.path("lag_ms").asLong()),
                    copying ? eta(size - synced, copyRate) : backlog == 0 ? "in sync" : eta(backlog, wireRate));
        }
    }

    /** {@code [##########..............]}: {@link #BAR_WIDTH} cells, filled as {@code done} is of {@code total}. */
    static String bar(long done, long total) {
        int filled = total <= 0 ? BAR_WIDTH : (int) Math.min(BAR_WIDTH, BAR_WIDTH * (double) done / total);
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]";
    }

    /** {@code 45s}, {@code 12m05s}, {@code 3h20m}: how long {@code bytes} take at {@code bytesPerSecond}; {@code -} unknown. */
    static String eta(long bytes, double bytesPerSecond) {
        if (Double.isNaN(bytesPerSecond) || bytesPerSecond <= 0) {
            return "-";
        }
        return duration((long) Math.ceil(1000.0 * bytes / bytesPerSecond));
    }

    static String duration(long ms) {
        long s = ms / 1000;
        if (s < 1) {
            return ms + " ms";
        } else if (s < 60) {
            return s + "s";
        } else if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
    }

    /** The smoothed rate of {@code counter} in bytes a second, NaN until two frames were seen. */
    private static double rate(Map<String, Double> rates, Map<String, Long> last, String name, long counter,
                               long elapsedMs) {
        Long before = last.put(name, counter);
        if (before != null && elapsedMs > 0) {
            double now = Math.max(0, counter - before) * 1000.0 / elapsedMs;
            rates.merge(name, now, (old, fresh) -> old + SMOOTHING * (fresh - old));
        }
        return rates.getOrDefault(name, Double.NaN);
    }
}
