package io.replicator.source.sync;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What must hold before a cutover freezes anything (docs/design/001-final-sync-barrier.md): the
 * target connected, no comparison after an unclean stop running, and a backlog that can drain
 * within the timeout at the rate the target has been making data durable. Holds nothing; agent's
 * thread only (it reads the {@link JobPort}).
 */
final class CutoverPreconditions {
    private static final Logger LOG = LoggerFactory.getLogger(CutoverPreconditions.class);
    /** The drain rate assumed while none has been measured yet (nothing was in flight for a whole second). */
    static final long ASSUMED_RATE_BYTES_PER_SECOND = 50L << 20;

    private CutoverPreconditions() {
    }

    /** Why a cutover of {@code timeoutMs} cannot start now, or null when it may (then the estimate is logged). */
    static String refusal(JobPort port, long timeoutMs) {
        if (!port.connected()) {
            return "not connected to the target " + port.hostPort()
                    + (port.lastError() == null ? "" : " (" + port.lastError() + ")");
        }
        if (port.reconciling()) {
            return "the source is still comparing every block with the target after an unclean stop; "
                    + "run cutover again when status no longer shows a rescan";
        }
        long backlogBytes = port.backlogBytes();
        double rate = port.drainBytesPerSecond();
        boolean measured = rate > 0;
        double bytesPerSecond = measured ? rate : ASSUMED_RATE_BYTES_PER_SECOND;
        long drainMs = (long) (backlogBytes * 1000.0 / bytesPerSecond);
        if (drainMs > timeoutMs) {
            return String.format("the backlog of %d bytes needs about %d ms to drain at %s %.1f MB/s, more than the "
                            + "timeout of %d ms: run 'replicator sync' first, or give a longer --timeout",
                    backlogBytes, drainMs, measured ? "the measured" : "an assumed (not yet measured)",
                    bytesPerSecond / 1e6, timeoutMs);
        }
        LOG.info("cutover: backlog {} bytes, about {} ms to drain at {} {} MB/s; probing the target", backlogBytes,
                drainMs, measured ? "the measured" : "an assumed", String.format("%.1f", bytesPerSecond / 1e6));
        return null;
    }
}
