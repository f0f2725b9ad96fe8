package io.replicator.source.sync;

/**
 * One sweep of the dirty maps, block order, every volume: each dirty block is cleared, read and
 * sent when its fingerprint differs from what the target holds. {@code coversNs} is the time of
 * the last {@link ChangeFeed#catchUp} that completed before the walk started: once the walk is
 * finished, every write that completed before that time has been read (or
 * {@link Long#MIN_VALUE} when no catch-up preceded it). Not thread-safe: owned by the sync
 * agent's thread.
 */
final class DirtyWalk {
    final long coversNs;
    /** When the walk started: a block marked before then and still dirty is ahead of its position. */
    final long startedNs = System.nanoTime();
    int volume;
    long block;
    long sentBlocks;
    /**
     * The first region of the dirty map's mark times ({@link io.replicator.source.track.DirtyMap#REGION_BLOCKS})
     * that the walk will have taken whole once its position passes the region's end, and when it
     * reached it; -1 when no region can be vouched for (a pass limited the walk).
     */
    int region = -1;
    long regionEnteredNs;

    DirtyWalk(long coversNs) {
        this.coversNs = coversNs;
    }
}
