package io.replicator.protocol.guard;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs refusals of connections that never authenticated at a bounded rate, so that a flood makes
 * a few lines, not one per connection:
 *
 * <ul>
 *   <li>at most one line per key (an address prefix, see {@link ConnectionLimiter#prefixOf}) per
 *       interval; the refusals not logged are counted and the count is added to the key's next line;</li>
 *   <li>at most {@code maxLinesPerInterval} lines in all per interval, and at most {@link #MAX_KEYS}
 *       keys remembered: what is left out for these reasons (a flood from many addresses) is counted
 *       and said on the first line logged after the interval.</li>
 * </ul>
 * Messages may quote the peer: they are escaped ({@link PeerText}). Thread-safe; the decision is
 * made under this object's monitor and the line is logged outside it.
 */
public final class RefusalLog {
    /** Keys remembered at most; more keys within one interval are counted with the lines left out. */
    public static final int MAX_KEYS = 4096;

    private final Logger log;
    private final LongSupplier nanoTime;
    private final long intervalNs;
    private final int maxLinesPerInterval;
    /** The start of each key's interval and the refusals not logged for it since. */
    private final Map<String, long[]> windows = new HashMap<>();
    private long windowStartNs;
    private int linesInWindow;
    /** Refusals left out by the limit on lines or keys, said on the next line logged. */
    private long leftOut;

    /** Logs through {@code log}: one line per key per {@code intervalMs}, {@code maxLinesPerInterval} lines in all. */
    public RefusalLog(Logger log, long intervalMs, int maxLinesPerInterval) {
        this(log, intervalMs, maxLinesPerInterval, System::nanoTime);
    }

    RefusalLog(Logger log, long intervalMs, int maxLinesPerInterval, LongSupplier nanoTime) {
        this.log = log;
        this.nanoTime = nanoTime;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.maxLinesPerInterval = maxLinesPerInterval;
        this.windowStartNs = nanoTime.getAsLong() - intervalNs;
    }

    /** Logs {@code message} about a refused connection counted under {@code key}, unless too many lines were. */
    public void refused(String key, String message) {
        long suppressed;
        long others;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            long[] window = windows.get(key);
            if (window != null && now - window[0] < intervalNs) {
                window[1]++;
                return;
            }
            if (now - windowStartNs >= intervalNs) {
                windowStartNs = now;
                linesInWindow = 0;
            }
            if (window == null && windows.size() >= MAX_KEYS) {
                forgetStaleKeys(now);
            }
            if (linesInWindow >= maxLinesPerInterval || (window == null && windows.size() >= MAX_KEYS)) {
                if (window != null) {
                    window[1]++;
                } else {
                    leftOut++;
                }
                return;
            }
            suppressed = window == null ? 0 : window[1];
            windows.put(key, new long[] {now, 0});
            linesInWindow++;
            others = leftOut;
            leftOut = 0;
        }
        String line = PeerText.escape(message);
        if (suppressed > 0) {
            line += String.format(" (%d more refused connections from %s since the last line, not logged one by one)",
                    suppressed, PeerText.escape(key));
        }
        if (others > 0) {
            line += String.format(" (%d refused connections from other addresses were not logged: too many to log)",
                    others);
        }
        log.warn("{}", line);
    }

    /** Drops keys whose interval has passed; their refusals not logged yet join those left out. */
    private void forgetStaleKeys(long now) {
        for (Iterator<long[]> it = windows.values().iterator(); it.hasNext(); ) {
            long[] window = it.next();
            if (now - window[0] >= intervalNs) {
                leftOut += window[1];
                it.remove();
            }
        }
    }
}
