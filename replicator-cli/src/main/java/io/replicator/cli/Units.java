package io.replicator.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and durations in human units: {@code 64KiB}, {@code 32MiB}, {@code 1GiB}, {@code 4096};
 * {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} (a duration always names its unit). Thread-safe.
 */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB|K|M|G|T)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private Units() {
    }

    public static long parseSizeBytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size '" + text + "' (expected e.g. 4096, 64KiB, 32MiB, 1GiB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        if (Long.numberOfLeadingZeros(n) <= shift) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
        return n << shift;
    }

    /** A duration with its unit: {@code 5} alone is refused (seconds or minutes?), {@code 5s} and {@code 5m} are not. */
    public static long parseDurationMs(String text) {
        String t = text.trim();
        if (t.matches("\\d+")) {
            throw new IllegalArgumentException("invalid duration '" + text + "': a number needs a unit (" + t + "ms, "
                    + t + "s, " + t + "m or " + t + "h)");
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid duration '" + text + "' (expected e.g. 500ms, 30s, 5m, 1h, 7d)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> n;
            case "m" -> Math.multiplyExact(n, 60_000L);
            case "h" -> Math.multiplyExact(n, 3_600_000L);
            case "d" -> Math.multiplyExact(n, 86_400_000L);
            default -> Math.multiplyExact(n, 1000L);
        };
    }

    /** {@code 1.5 GiB}, {@code 640 KiB}, {@code 12 B}. */
    public static String formatBytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int i = 0;
        while (Math.abs(v) >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
