package io.replicator.target.apply;

import java.util.BitSet;

/**
 * The blocks of an image this receiver created (sparse: all holes, reading as zeros) that nothing
 * has been written to since. A zero range sent for such a block needs no write at all. Kept in
 * memory for the life of the receiver process only: after a restart nothing is known unwritten
 * and zero ranges are written, which is always correct. Used by one apply thread at a time (the
 * sessions of one source follow each other).
 */
final class UnwrittenBlocks {
    private final BitSet written = new BitSet();
    private final int blockSizeBytes;

    UnwrittenBlocks(int blockSizeBytes) {
        this.blockSizeBytes = blockSizeBytes;
    }

    /** Whether every block the range touches is still a hole of the new image. */
    boolean isUnwritten(long offset, int lengthBytes) {
        int first = (int) (offset / blockSizeBytes);
        int end = (int) ((offset + lengthBytes + blockSizeBytes - 1) / blockSizeBytes);
        int next = written.nextSetBit(first);
        return next < 0 || next >= end;
    }

    void markWritten(long offset, int lengthBytes) {
        int first = (int) (offset / blockSizeBytes);
        int end = (int) ((offset + lengthBytes + blockSizeBytes - 1) / blockSizeBytes);
        written.set(first, end);
    }

    /** Whether blocks of this size can be counted in a BitSet for a volume of this size. */
    static boolean fits(long sizeBytes, int blockSizeBytes) {
        return sizeBytes / blockSizeBytes < Integer.MAX_VALUE - 1;
    }
}
