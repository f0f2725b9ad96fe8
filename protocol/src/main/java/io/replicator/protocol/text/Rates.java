package io.replicator.protocol.text;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bandwidths in words, the same on the command line and in the admin API: {@code 40MB/s} (decimal
 * bytes), {@code 10MiB/s} (binary bytes), {@code 200Mbit} or {@code 200Mbit/s} (decimal bits, as
 * links are sold), {@code 500KB/s}, {@code 1Gbit}, a plain number of bytes per second; and back to
 * words in the decimal units an admin compares with a link ({@code 40.0 MB/s}). Stateless and
 * thread-safe.
 */
public final class Rates {
    private static final Pattern RATE = Pattern.compile(
            "(\\d+(?:\\.\\d+)?)\\s*(?:(k|m|g|t)(i)?)?(b|bit|bits|bps)?(?:/s)?", Pattern.CASE_INSENSITIVE);
    private static final String EXPECTED = "expected e.g. 40MB/s, 10MiB/s, 200Mbit, 1Gbit";

    private Rates() {
    }

    /**
     * Bytes per second of {@code text}; IllegalArgumentException naming the text when it is not a
     * rate or is not positive.
     */
    public static long parseBytesPerSecond(String text) {
        Matcher m = RATE.matcher(text.trim());
        if (!m.matches() || m.group(1) == null) {
            throw new IllegalArgumentException("invalid rate '" + text + "' (" + EXPECTED + ")");
        }
        double n = Double.parseDouble(m.group(1));
        String prefix = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        boolean binary = m.group(3) != null;
        String unit = m.group(4);
        // "bit", "bits", "bps" and a lower-case "b" after a prefix ("200Mb") count bits; "B" counts bytes.
        boolean bits = unit != null && (unit.length() > 1 || unit.equals("b") && !prefix.isEmpty());
        if (binary && bits) {
            throw new IllegalArgumentException("invalid rate '" + text + "': binary prefixes count bytes ("
                    + EXPECTED + ")");
        }
        double scale = switch (prefix) {
            case "k" -> binary ? 1L << 10 : 1e3;
            case "m" -> binary ? 1L << 20 : 1e6;
            case "g" -> binary ? 1L << 30 : 1e9;
            case "t" -> binary ? 1L << 40 : 1e12;
            default -> 1;
        };
        double bytes = n * scale / (bits ? 8 : 1);
        if (bytes < 1 || bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("invalid rate '" + text + "': " + (bytes < 1 ? "below 1 byte/s"
                    : "too large") + " (" + EXPECTED + ")");
        }
        return Math.round(bytes);
    }

    /** {@code 40.0 MB/s}, {@code 512.0 kB/s}, {@code 12 B/s}: decimal units. */
    public static String format(double bytesPerSecond) {
        String[] units = {"B/s", "kB/s", "MB/s", "GB/s", "TB/s"};
        double v = bytesPerSecond;
        int i = 0;
        while (Math.abs(v) >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return i == 0 ? Math.round(v) + " B/s" : String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
