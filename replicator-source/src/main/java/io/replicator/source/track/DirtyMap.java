package io.replicator.source.track;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One bit per block of a volume: set when the kernel reports a completed write to the block,
 * cleared by the sync agent just before it reads the block. Thread-safe: the tracker's reader
 * thread marks, the agent's thread clears, and {@link #count} is exact at any moment. A 1 TiB
 * volume of 64 KiB blocks takes 2 MiB.
 */
public final class DirtyMap {
    private final long blockCount;
    private final AtomicLongArray words;
    private final AtomicLong count = new AtomicLong();
    private volatile long dirtySinceNs;

    public DirtyMap(long blockCount) {
        if (blockCount < 0 || (blockCount + 63) / 64 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("invalid block count " + blockCount);
        }
        this.blockCount = blockCount;
        this.words = new AtomicLongArray((int) ((blockCount + 63) / 64));
    }

    /** A map of {@code blockCount} blocks with the bits of {@code bytes} (as {@link #toBytes} wrote them). */
    public static DirtyMap fromBytes(long blockCount, byte[] bytes) {
        DirtyMap map = new DirtyMap(blockCount);
        if (bytes.length != (blockCount + 7) / 8) {
            throw new IllegalArgumentException("a dirty map of " + bytes.length + " bytes for " + blockCount
                    + " blocks, expected " + (blockCount + 7) / 8);
        }
        for (long b = 0; b < blockCount; b++) {
            if ((bytes[(int) (b >>> 3)] & (1 << (b & 7))) != 0) {
                map.mark(b);
            }
        }
        return map;
    }

    public long blockCount() {
        return blockCount;
    }

    /** Marks {@code block}; returns whether it was clean before. */
    public boolean mark(long block) {
        int i = (int) (block >>> 6);
        long bit = 1L << (block & 63);
        while (true) {
            long w = words.get(i);
            if ((w & bit) != 0) {
                return false;
            }
            if (words.compareAndSet(i, w, w | bit)) {
                if (count.getAndIncrement() == 0) {
                    dirtySinceNs = System.nanoTime();
                }
                return true;
            }
        }
    }

    /** Marks every block that bytes {@code [offset, offset + length)} touch, clipped to the volume. */
    public void markBytes(long offset, long length, int blockSizeBytes) {
        if (length <= 0 || offset >= blockCount * blockSizeBytes) {
            return;
        }
        long first = Math.max(0, offset) / blockSizeBytes;
        long last = Math.min(blockCount - 1, (offset + length - 1) / blockSizeBytes);
        for (long b = first; b <= last; b++) {
            mark(b);
        }
    }

    public void markAll() {
        for (long b = 0; b < blockCount; b++) {
            mark(b);
        }
    }

    /** Clears {@code block}; returns whether it was dirty. */
    public boolean clear(long block) {
        int i = (int) (block >>> 6);
        long bit = 1L << (block & 63);
        while (true) {
            long w = words.get(i);
            if ((w & bit) == 0) {
                return false;
            }
            if (words.compareAndSet(i, w, w & ~bit)) {
                count.decrementAndGet();
                return true;
            }
        }
    }

    public boolean isDirty(long block) {
        return (words.get((int) (block >>> 6)) & (1L << (block & 63))) != 0;
    }

    /** The first dirty block at or after {@code from}, or -1. */
    public long nextDirty(long from) {
        if (from < 0) {
            from = 0;
        }
        if (from >= blockCount) {
            return -1;
        }
        int i = (int) (from >>> 6);
        long w = words.get(i) & (-1L << (from & 63));
        while (true) {
            if (w != 0) {
                long b = ((long) i << 6) + Long.numberOfTrailingZeros(w);
                return b < blockCount ? b : -1;
            }
            if (++i >= words.length()) {
                return -1;
            }
            w = words.get(i);
        }
    }

    /** How many blocks are dirty. */
    public long count() {
        return count.get();
    }

    /** {@link System#nanoTime()} when the map last went from clean to dirty; meaningless while it is clean. */
    public long dirtySinceNs() {
        return dirtySinceNs;
    }

    /** The bits, block b at bit {@code b % 8} of byte {@code b / 8}. */
    public byte[] toBytes() {
        byte[] out = new byte[(int) ((blockCount + 7) / 8)];
        for (int i = 0; i < words.length(); i++) {
            long w = words.get(i);
            for (int k = 0; k < 8 && i * 8 + k < out.length; k++) {
                out[i * 8 + k] = (byte) (w >>> (8 * k));
            }
        }
        return out;
    }
}
