package io.replicator.source.sync;

/**
 * One sweep over every block of every volume: the scan tracker. Blocks whose fingerprint differs
 * from what the target holds (or has in flight) are sent. A pass survives reconnects: it resumes
 * at its cursor. Not thread-safe: owned by the sync agent's thread.
 */
final class Pass {
    final long startedNs;
    final boolean observeOnly;
    int volume;
    long block;
    long changedBlocks;
    /** Reads the current volume ahead of the pass; null between volumes. */
    ReadAhead readAhead;

    Pass(long startedNs, boolean observeOnly) {
        this.startedNs = startedNs;
        this.observeOnly = observeOnly;
    }
}
