package io.replicator.source.sync;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * What the source logs about its link to the target: a line per change of state, not per attempt.
 * The first failure after replicating and each new reason are warned about; while the same reason
 * repeats, one "still failing" line a minute at most, counting the attempts. The first handshake
 * after a warning is logged, later ones of the same failure only at debug level; the first
 * acknowledgement after failures says that replication is back. Not thread-safe: owned by the
 * sync agent's thread.
 */
final class ReconnectLog {
    /** While the same failure repeats, a line at most this often. */
    static final long REPEAT_INTERVAL_NS = TimeUnit.MINUTES.toNanos(1);

    /** Where the lines go: SLF4J, or a list in tests. */
    @FunctionalInterface
    interface Sink {
        void log(Level level, String format, Object... args);
    }

    private final String target;
    private final Sink sink;
    /** The failure last warned about, or null while replicating. */
    private String failure;
    private long lastLineNs;
    private int attemptsSinceLine;
    private boolean handshakeLogged;

    ReconnectLog(String target, Sink sink) {
        this.target = target;
        this.sink = sink;
    }

    static Sink to(Logger log) {
        return (level, format, args) -> log.atLevel(level).log(format, args);
    }

    /** An attempt failed or a session ended because of {@code reason}; the next one is attempt {@code failures + 1}. */
    void failed(String reason, int failures, long waitMs, int inFlightBlocks, long nowNs) {
        attemptsSinceLine++;
        if (failure == null) {
            warn(nowNs, "lost connection to target {}: {}; reconnecting with backoff, next attempt in {} ms; "
                    + "{} blocks in flight will be resent", target, reason, waitMs, inFlightBlocks);
        } else if (!failure.equals(reason)) {
            warn(nowNs, "connection to target {} failed again: {}; next attempt in {} ms (attempt {})", target,
                    reason, waitMs, failures + 1);
        } else if (nowNs - lastLineNs >= REPEAT_INTERVAL_NS) {
            sink.log(Level.WARN, "still failing to replicate to target {}: {} ({} failed attempts in a row, {} since "
                    + "the last line); next attempt in {} ms", target, reason, failures, attemptsSinceLine, waitMs);
            lastLineNs = nowNs;
            attemptsSinceLine = 0;
        } else {
            sink.log(Level.DEBUG, "connection to target {} failed again: {}; next attempt in {} ms (attempt {})",
                    target, reason, waitMs, failures + 1);
        }
        failure = reason;
    }

    private void warn(long nowNs, String format, Object... args) {
        sink.log(Level.WARN, format, args);
        lastLineNs = nowNs;
        attemptsSinceLine = 0;
        handshakeLogged = false;
    }

    /** A handshake succeeded: logged while replicating and once after each warning, else at debug level. */
    void connected(String format, Object... args) {
        sink.log(failure == null || !handshakeLogged ? Level.INFO : Level.DEBUG, format, args);
        handshakeLogged = failure != null;
    }

    /** The target acknowledged something new, after {@code failures} failures in a row: replication is back. */
    void acknowledged(int failures) {
        if (failure != null) {
            sink.log(Level.INFO, "target {} acknowledges blocks again: replicating after {} failed attempts "
                    + "(the last: {})", target, failures, failure);
            failure = null;
        }
    }
}
