package io.replicator.target.apply;

import java.util.Arrays;

/**
 * The blocks of an image this receiver created (sparse: all holes, reading as zeros) that nothing
 * has been written to since. A zero range sent for such a block needs no write at all. Kept in
 * memory for the life of the receiver process only: after a restart nothing is known unwritten
 * and zero ranges are written, which is always correct.
 *
 * <p>Held as the sorted, disjoint ranges of blocks that may have been written, at most {@link
 * #MAX_RANGES} of them, so its memory is bounded whatever the volume's size: two arrays of at most
 * {@code MAX_RANGES + 1} longs, {@value #MAX_BYTES} bytes. A write that would make more ranges merges
 * the ranges separated by the smallest gaps until half of {@code MAX_RANGES} are left: the blocks of
 * those gaps count as written from then on. That only costs writing zeros there later; a block that
 * was written is never taken for a hole. Writes in order (an initial sync) extend one range.
 *
 * <p>Not thread-safe: used by one apply thread at a time (the sessions of one source follow each
 * other).
 */
final class UnwrittenBlocks {
    /** Written ranges kept at most before the closest ones are merged. */
    static final int MAX_RANGES = 2048;
    /** The most memory one image's bookkeeping holds: its two arrays at their largest. */
    static final long MAX_BYTES = 2L * (MAX_RANGES + 1) * Long.BYTES;
    private static final int INITIAL_CAPACITY = 16;

    private final int blockSizeBytes;
    /** First block of each written range, ascending; {@code ends[i]} is the block after its last. */
    private long[] starts = new long[INITIAL_CAPACITY];
    private long[] ends = new long[INITIAL_CAPACITY];
    private int count;

    UnwrittenBlocks(int blockSizeBytes) {
        this.blockSizeBytes = blockSizeBytes;
    }

    /** Whether every block the range touches is still a hole of the new image. */
    boolean isUnwritten(long offset, int lengthBytes) {
        long first = offset / blockSizeBytes;
        long end = endBlock(offset, lengthBytes);
        int last = lastStartingBefore(end);
        return last < 0 || ends[last] <= first;
    }

    void markWritten(long offset, int lengthBytes) {
        long first = offset / blockSizeBytes;
        long end = endBlock(offset, lengthBytes);
        if (end <= first) {
            return;
        }
        // Every range from lo to hi overlaps [first, end) or touches it: they become one.
        int hi = lastStartingBefore(end + 1);
        int lo = hi;
        while (lo >= 0 && ends[lo] >= first) {
            lo--;
        }
        lo++;
        if (lo > hi) {
            insert(lo, first, end);
        } else {
            starts[lo] = Math.min(starts[lo], first);
            ends[lo] = Math.max(ends[hi], end);
            remove(lo + 1, hi - lo);
        }
        if (count > MAX_RANGES) {
            mergeClosest(MAX_RANGES / 2);
        }
    }

    /** Written ranges held now. */
    int ranges() {
        return count;
    }

    /** Bytes of memory this bookkeeping holds; at most {@link #MAX_BYTES}. */
    long sizeBytes() {
        return (long) (starts.length + ends.length) * Long.BYTES;
    }

    private long endBlock(long offset, int lengthBytes) {
        return (offset + lengthBytes + blockSizeBytes - 1) / blockSizeBytes;
    }

    /** The index of the last range that starts before block {@code block}, or -1. */
    private int lastStartingBefore(long block) {
        int i = Arrays.binarySearch(starts, 0, count, block);
        return i >= 0 ? i - 1 : -i - 2;
    }

    private void insert(int at, long start, long end) {
        if (count == starts.length) {
            int capacity = Math.min(starts.length * 2, MAX_RANGES + 1);
            starts = Arrays.copyOf(starts, capacity);
            ends = Arrays.copyOf(ends, capacity);
        }
        System.arraycopy(starts, at, starts, at + 1, count - at);
        System.arraycopy(ends, at, ends, at + 1, count - at);
        starts[at] = start;
        ends[at] = end;
        count++;
    }

    private void remove(int from, int n) {
        System.arraycopy(starts, from + n, starts, from, count - from - n);
        System.arraycopy(ends, from + n, ends, from, count - from - n);
        count -= n;
    }

    /** Closes the smallest gaps between ranges until {@code target} ranges are left. */
    private void mergeClosest(int target) {
        long[] gaps = new long[count - 1];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = starts[i + 1] - ends[i];
        }
        long[] sorted = gaps.clone();
        Arrays.sort(sorted);
        int merges = count - target;
        long threshold = sorted[merges - 1];
        int belowThreshold = 0;
        while (sorted[belowThreshold] < threshold) {
            belowThreshold++;
        }
        int atThresholdToMerge = merges - belowThreshold;
        int kept = 0;
        for (int i = 0; i < count; i++) {
            boolean merge = i > 0 && (gaps[i - 1] < threshold || gaps[i - 1] == threshold && atThresholdToMerge-- > 0);
            if (merge) {
                ends[kept - 1] = ends[i];
            } else {
                starts[kept] = starts[i];
                ends[kept] = ends[i];
                kept++;
            }
        }
        count = kept;
    }
}
