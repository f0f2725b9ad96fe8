package io.replicator.source;

/**
 * What the admin hands a held cutover with its commit or abort: the wave it belongs to, the report
 * to keep on the receiver ({@code reportId}, the JSON document and its Markdown page; all null when
 * there is none to send), and for a commit what becomes of the file systems: thawed, or kept frozen
 * for at most {@code maxFrozenMs} ({@code keepFrozen}). Immutable.
 */
public record CutoverReportRequest(String waveId, String reportId, String json, String markdown, boolean keepFrozen,
                                   long maxFrozenMs) {
    /** Kept frozen after a verified cutover for at most this unless the commit says otherwise: 15 minutes. */
    public static final long DEFAULT_MAX_FROZEN_MS = 15 * 60_000L;

    /** Whether there is a report to send. */
    public boolean hasReport() {
        return reportId != null && json != null && markdown != null;
    }
}
