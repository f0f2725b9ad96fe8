package io.replicator.source.sync;

import io.replicator.source.track.DirtyMap;
import java.util.List;

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
     * The first region of the dirty map's mark times ({@link DirtyMap#REGION_BLOCKS}) that the walk
     * will have taken whole once its position passes the region's end, and when it reached it; -1
     * when no region can be vouched for (a pass limited the walk).
     */
    private int region = -1;
    private long regionEnteredNs;

    DirtyWalk(long coversNs) {
        this.coversNs = coversNs;
    }

    /**
     * Before a step that starts at {@code stepNs}: while a pass runs (it limits the walk) no region
     * can be vouched for; otherwise the walk enters the first region still wholly ahead of it.
     */
    void startStep(boolean passRunning, long stepNs) {
        if (passRunning) {
            region = -1;
        } else if (region < 0) {
            region = DirtyMap.regionOf(block + DirtyMap.REGION_BLOCKS - 1);
            regionEnteredNs = stepNs;
        }
    }

    /**
     * Tells {@code dirty}, the current volume's map, which regions the walk has now taken whole, its
     * position having reached {@code next} in a step that started at {@code stepNs}: each region
     * from the one it entered earlier up to the last ending at or before {@code next}.
     */
    void regionsWalked(DirtyMap dirty, long next, long stepNs) {
        if (region < 0) {
            return;
        }
        int reached = next >= dirty.blockCount() ? DirtyMap.regionCount(dirty.blockCount()) : DirtyMap.regionOf(next);
        for (int r = region; r < reached; r++) {
            dirty.regionWalked(r, r == region ? regionEnteredNs : stepNs);
        }
        if (reached > region) {
            region = reached;
            regionEnteredNs = stepNs;
        }
    }

    /** Moves to the start of the next volume. */
    void nextVolume() {
        volume++;
        block = 0;
        region = -1;
    }

    /**
     * Whether a dirty block of {@code volumes} lies at or after the walk's position. When none does,
     * every dirty block is behind it and was marked after the walk passed it, so after it started.
     */
    boolean dirtyAhead(List<VolumeState> volumes) {
        for (int i = volume; i < volumes.size(); i++) {
            DirtyMap map = volumes.get(i).dirty;
            if (map != null && (i > volume ? map.count() > 0 : block < map.blockCount() && map.nextDirty(block) >= 0)) {
                return true;
            }
        }
        return false;
    }
}
