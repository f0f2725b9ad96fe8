package io.replicator.source.sync;

/**
 * One sweep over the blocks of every volume, reading each and sending those whose fingerprint
 * differs from what the target holds (or has in flight): the scan tracker's every pass, and under
 * the kernel tracker the initial copy (which resumes at each volume's cursor) and the rescan after
 * lost events (which starts at block 0). A pass survives reconnects: it resumes at its cursor. Not
 * thread-safe: owned by the sync agent's thread.
 */
final class Pass {
    final long startedNs;
    final boolean observeOnly;
    /** Starts each volume at its initial-copy cursor instead of block 0. */
    final boolean fromCursor;
    /** Why this pass rereads everything (lost events, an unclean stop), or null for a routine pass. */
    final String rescanReason;
    /** Runs while sending is paused: only counts what changed, and covers nothing. */
    final boolean whilePaused;
    int volume;
    long block;
    long changedBlocks;
    /** Reads the current volume ahead of the pass; null between volumes. */
    ReadAhead readAhead;

    Pass(long startedNs, boolean observeOnly, boolean fromCursor, String rescanReason) {
        this(startedNs, observeOnly, fromCursor, rescanReason, false);
    }

    Pass(long startedNs, boolean observeOnly, boolean fromCursor, String rescanReason, boolean whilePaused) {
        this.whilePaused = whilePaused;
        this.startedNs = startedNs;
        this.observeOnly = observeOnly;
        this.fromCursor = fromCursor;
        this.rescanReason = rescanReason;
    }
}
