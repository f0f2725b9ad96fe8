package io.replicator.source.sync;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Blocks that one step decided to send, gathered so that they go out as one block frame: blocks
 * of one volume, consecutive on the volume and in the buffer they were read into, all zero or all
 * data. Small blocks keep tracking and fingerprints fine-grained (a 4 KiB write sends 4 KiB), runs
 * keep frames large where much changed (the initial copy sends frames of {@link #MAX_DATA_BYTES}).
 * The buffer must stay untouched until the run is taken. Not thread-safe: owned by the sync
 * agent's thread.
 */
final class BlockRun {
    /** Data runs stop here: LZ4 gains little beyond, and a frame is applied as one write. */
    static final int MAX_DATA_BYTES = 64 << 10;

    private int volume = -1;
    private long firstBlock;
    private ByteBuffer buffer;
    private int position;
    private int lengthBytes;
    private boolean zero;
    private int count;
    private long[] fingerprints = new long[16];
    private int[] lengths = new int[16];
    private boolean[] changed = new boolean[16];

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Adds block {@code block} of {@code volume}, bytes {@code [position, position + length)} of
     * {@code source} ({@code zeroBlock}: all of them zero), if it continues this run within
     * {@code maxRunBytes}; returns false (and adds nothing) when it does not, and the caller sends
     * this run first.
     */
    boolean tryAdd(int volume, long block, ByteBuffer source, int position, int length, boolean zeroBlock,
                   long fingerprint, boolean changedBlock, int maxRunBytes) {
        if (count > 0) {
            boolean continues = volume == this.volume && block == firstBlock + count && source == buffer
                    && position == this.position + lengthBytes && zeroBlock == zero
                    && lengthBytes + length <= (zero ? maxRunBytes : Math.min(maxRunBytes, MAX_DATA_BYTES));
            if (!continues) {
                return false;
            }
        } else {
            this.volume = volume;
            this.firstBlock = block;
            this.buffer = source;
            this.position = position;
            this.lengthBytes = 0;
            this.zero = zeroBlock;
        }
        if (count == fingerprints.length) {
            fingerprints = Arrays.copyOf(fingerprints, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
            changed = Arrays.copyOf(changed, count * 2);
        }
        fingerprints[count] = fingerprint;
        lengths[count] = length;
        changed[count] = changedBlock;
        count++;
        lengthBytes += length;
        return true;
    }

    int volume() {
        return volume;
    }

    long firstBlock() {
        return firstBlock;
    }

    int count() {
        return count;
    }

    /** Whether every block of the run is all zeros (else none is). */
    boolean isZero() {
        return zero;
    }

    /** The run's bytes, a view of the buffer they were read into. */
    ByteBuffer bytes() {
        return buffer.slice(position, lengthBytes);
    }

    long fingerprint(int i) {
        return fingerprints[i];
    }

    int length(int i) {
        return lengths[i];
    }

    boolean changed(int i) {
        return changed[i];
    }

    /** Empties the run (it was sent) and lets go of its buffer. */
    void clear() {
        count = 0;
        lengthBytes = 0;
        buffer = null;
        volume = -1;
    }
}
