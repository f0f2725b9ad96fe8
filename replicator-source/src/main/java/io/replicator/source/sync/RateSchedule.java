package io.replicator.source.sync;

import io.replicator.protocol.rate.TokenBucket;
import io.replicator.protocol.text.Rates;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The source's configured bandwidth limits ({@code --max-rate RATE[@HH:MM-HH:MM]}, repeatable): each
 * {@link Window} holds from its start (inclusive) to its end (exclusive) in the source's local time,
 * and may run over midnight ({@code 22:00-06:00}); the one entry without a window is the limit for
 * the rest of the day (none: unlimited). Where windows overlap the one given first holds. Immutable
 * and thread-safe.
 */
public record RateSchedule(List<Window> windows, long defaultBytesPerSecond) {
    /** No limit at any time. */
    public static final RateSchedule NONE = new RateSchedule(List.of(), TokenBucket.UNLIMITED);
    private static final Pattern ENTRY = Pattern.compile("([^@]+)@(\\d{1,2}):(\\d{2})-(\\d{1,2}):(\\d{2})");

    /** {@code bytesPerSecond} from {@code startMinute} (inclusive) to {@code endMinute} (exclusive) of the day. */
    public record Window(long bytesPerSecond, int startMinute, int endMinute) {
        boolean contains(int minute) {
            return startMinute <= endMinute ? minute >= startMinute && minute < endMinute
                    : minute >= startMinute || minute < endMinute;
        }

        @Override
        public String toString() {
            return Rates.format(bytesPerSecond) + "@" + hhmm(startMinute) + "-" + hhmm(endMinute);
        }
    }

    public RateSchedule {
        windows = List.copyOf(windows);
    }

    /**
     * Parses {@code --max-rate} values; IllegalArgumentException naming the entry that is not
     * {@code RATE} or {@code RATE@HH:MM-HH:MM}, or a second entry without a window.
     */
    public static RateSchedule parse(List<String> entries) {
        List<Window> windows = new ArrayList<>();
        Long rest = null;
        for (String entry : entries) {
            Matcher m = ENTRY.matcher(entry.trim());
            if (m.matches()) {
                int start = minute(entry, m.group(2), m.group(3));
                int end = minute(entry, m.group(4), m.group(5));
                if (start == end) {
                    throw new IllegalArgumentException("invalid --max-rate '" + entry + "': the window is empty");
                }
                windows.add(new Window(Rates.parseBytesPerSecond(m.group(1)), start, end));
            } else if (entry.contains("@")) {
                throw new IllegalArgumentException("invalid --max-rate '" + entry
                        + "' (expected RATE or RATE@HH:MM-HH:MM, e.g. 20MB/s@08:00-18:00)");
            } else if (rest != null) {
                throw new IllegalArgumentException("invalid --max-rate '" + entry + "': a limit without a window ("
                        + Rates.format(rest) + ") was already given; give the other ones as RATE@HH:MM-HH:MM");
            } else {
                rest = Rates.parseBytesPerSecond(entry);
            }
        }
        return new RateSchedule(windows, rest == null ? TokenBucket.UNLIMITED : rest);
    }

    /** The limit at {@code time} of the source's local day, or {@link TokenBucket#UNLIMITED}. */
    public long bytesPerSecondAt(LocalTime time) {
        int minute = time.getHour() * 60 + time.getMinute();
        for (Window w : windows) {
            if (w.contains(minute)) {
                return w.bytesPerSecond;
            }
        }
        return defaultBytesPerSecond;
    }

    /** Whether a window (rather than the rest-of-day limit) holds at {@code time}. */
    public boolean inWindow(LocalTime time) {
        int minute = time.getHour() * 60 + time.getMinute();
        return windows.stream().anyMatch(w -> w.contains(minute));
    }

    private static int minute(String entry, String hours, String minutes) {
        int h = Integer.parseInt(hours);
        int m = Integer.parseInt(minutes);
        if (h > 24 || m > 59 || h == 24 && m != 0) {
            throw new IllegalArgumentException("invalid --max-rate '" + entry + "': " + hours + ":" + minutes
                    + " is not a time of day (00:00 to 24:00)");
        }
        return (h * 60 + m) % (24 * 60);
    }

    private static String hhmm(int minute) {
        return String.format("%02d:%02d", minute / 60, minute % 60);
    }
}
