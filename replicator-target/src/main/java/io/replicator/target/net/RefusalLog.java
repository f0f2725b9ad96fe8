package io.replicator.target.net;

import io.replicator.protocol.guard.PeerText;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refusals of connections that never authenticated, at most one line per address per
 * {@code intervalMs}: the first refusal in a window is logged, the rest are counted and the count is
 * added to the next line logged for that address. A thousand garbage connections make a few lines,
 * not a thousand. Thread-safe; called from any event loop.
 */
final class RefusalLog {
    /** Addresses remembered before stale windows are dropped. */
    static final int MAX_ADDRESSES = 4096;
    private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);

    private record Window(long startNs, int suppressed) {
    }

    private final long intervalNs;
    private final ConcurrentMap<InetAddress, Window> windows = new ConcurrentHashMap<>();

    RefusalLog(long intervalMs) {
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    }

    /**
     * Logs {@code message} about a connection from {@code address} unless one was logged recently;
     * the message may quote the peer: it is escaped ({@link PeerText}).
     */
    void refused(InetAddress address, String message) {
        long now = System.nanoTime();
        int[] suppressed = {-1};
        windows.compute(address, (a, w) -> {
            if (w == null || now - w.startNs() >= intervalNs) {
                suppressed[0] = w == null ? 0 : w.suppressed();
                return new Window(now, 0);
            }
            return new Window(w.startNs(), w.suppressed() + 1);
        });
        if (suppressed[0] < 0) {
            return;
        }
        if (suppressed[0] == 0) {
            log.warn("{}", PeerText.escape(message));
        } else {
            log.warn("{} ({} more refused connections from {} since the last line, not logged one by one)",
                    PeerText.escape(message), suppressed[0], address.getHostAddress());
        }
        if (windows.size() > MAX_ADDRESSES) {
            windows.entrySet().removeIf(e -> now - e.getValue().startNs() >= intervalNs);
        }
    }
}
