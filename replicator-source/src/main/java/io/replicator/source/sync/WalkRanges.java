package io.replicator.source.sync;

import io.replicator.source.track.DirtyMap;

/**
 * The blocks one step of a {@link DirtyWalk} takes from a volume's dirty map, as ranges to read:
 * each dirty block's bit is cleared as it is taken, dirty blocks at most {@value #READ_GAP_BLOCKS}
 * clean blocks apart share a range (reading a few more bytes costs less than another request), and
 * a step takes at most {@value #MAX_RANGES} ranges and as many blocks as fit a read unit. Range
 * {@code r} is {@code lengths[r]} bytes at {@code offsets[r]} on the volume, to be read at
 * {@code positions[r]} in the unit; taken block {@code k} is {@code blocks[k]}, in range
 * {@code rangeOf[k]}. Reused from step to step; not thread-safe: owned by the sync agent's thread.
 */
final class WalkRanges {
    /** Separate ranges one step reads side by side. */
    static final int MAX_RANGES = 256;
    /** Clean blocks between two dirty ones that a step reads rather than start another range. */
    static final int READ_GAP_BLOCKS = 15;

    final long[] offsets = new long[MAX_RANGES];
    final int[] lengths = new int[MAX_RANGES];
    final int[] positions = new int[MAX_RANGES];
    final long[] blocks;
    final int[] rangeOf;
    int ranges;
    int taken;
    /** Where the walk goes on after this step: past the last range, or {@code limit} when no dirty block was left below it. */
    long next;

    WalkRanges(int maxBlocks) {
        this.blocks = new long[maxBlocks];
        this.rangeOf = new int[maxBlocks];
    }

    /**
     * Takes dirty blocks of {@code dirty} from {@code from} up to {@code limit} (exclusive), at most
     * {@code roomBlocks} of volume blocks of {@code blockSize} bytes counting the clean ones read
     * between them; returns the number of ranges, 0 when none is dirty there.
     */
    int take(DirtyMap dirty, int blockSize, long from, long limit, int roomBlocks) {
        if (roomBlocks > blocks.length) {
            throw new IllegalArgumentException("room for " + roomBlocks + " blocks, at most " + blocks.length);
        }
        ranges = 0;
        taken = 0;
        int usedBlocks = 0;
        next = from;
        while (usedBlocks < roomBlocks && ranges < MAX_RANGES && next < limit) {
            long first = dirty.nextDirty(next);
            if (first < 0 || first >= limit) {
                next = limit;
                break;
            }
            long end = first;
            while (true) {
                while (end < limit && usedBlocks + (end - first) < roomBlocks && dirty.clear(end)) {
                    blocks[taken] = end;
                    rangeOf[taken] = ranges;
                    taken++;
                    end++;
                }
                long following = end < limit ? dirty.nextDirty(end) : -1;
                if (following < 0 || following >= limit || following - end > READ_GAP_BLOCKS
                        || usedBlocks + (following - first) >= roomBlocks) {
                    break;
                }
                end = following;
            }
            offsets[ranges] = first * blockSize;
            lengths[ranges] = (int) (end - first) * blockSize;
            positions[ranges] = usedBlocks * blockSize;
            ranges++;
            usedBlocks += (int) (end - first);
            next = end;
        }
        return ranges;
    }
}
