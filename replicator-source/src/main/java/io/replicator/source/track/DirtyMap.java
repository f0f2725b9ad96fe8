package io.replicator.source.track;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One bit per block of a volume: set when the block changed since the sync agent last took it.
 * A 1 TiB volume of 64 KiB blocks takes 2 MiB. The count of set bits is kept exactly as bits flip,
 * so {@link #count()} is O(1).
 *
 * <p>Thread-safe and lock-free: every bit flips with a compare-and-set on its 64-bit word. The
 * tracker's threads (one per CPU) mark; the sync agent's thread clears, scans and saves. The agent clears a bit
 * <em>before</em> reading the block, so that a write completing after the read marks it again.
 *
 * <p>Each region of {@value #REGION_BLOCKS} blocks keeps a time no later than the mark of any of
 * its dirty blocks: set by the first mark after the region was found clean, moved forward by
 * {@link #regionWalked} once the sync agent's walk has taken the region's blocks. Their earliest,
 * {@link #oldestMarkNs()}, bounds how long a dirty block may have waited (a 1 TiB volume of 4 KiB
 * blocks has 65,536 regions, 512 KiB of times).
 *
 * <p>{@link #toBytes()} layout, little-endian:
 * <pre>
 *  0        4        6        8            16
 *  +--------+--------+--------+------------+-------------------------------------------+
 *  | magic  | version| rsvd   | blockCount | bitmap: bit (b % 8) of byte (b / 8) is    |
 *  | u32    | u16    | u16    | u64        | block b; ceil(blockCount / 8) bytes       |
 *  +--------+--------+--------+------------+-------------------------------------------+
 * </pre>
 */
public final class DirtyMap {
    static final int MAGIC = 0x4d445052; // "RPDM" read little-endian
    static final int VERSION = 1;
    static final int HEADER_BYTES = 16;

    /** Blocks per region of mark times: 64 words of the bitmap, 16 MiB of 4 KiB blocks. */
    public static final int REGION_BLOCKS = 4096;
    private static final int REGION_WORD_SHIFT = 6;
    private static final long NO_MARK = Long.MIN_VALUE;

    private final long blockCount;
    private final int blockSizeBytes;
    private final AtomicLongArray words;
    /** Per region: NO_MARK, or a time no later than the mark of any of its dirty blocks; set whenever one is dirty. */
    private final AtomicLongArray regionMarkNs;
    private final AtomicLong count = new AtomicLong();
    private volatile long dirtySinceNs;
    /** Marked with every mark of this map once asked for ({@link #follower()}); null before. */
    private volatile DirtyMap follower;

    /** An empty map of {@code blockCount} blocks of {@code blockSizeBytes} each. */
    public DirtyMap(long blockCount, int blockSizeBytes) {
        if (blockCount < 0 || blockCount > (long) Integer.MAX_VALUE * 64) {
            throw new IllegalArgumentException("blockCount: " + blockCount + " (expected: 0-" + (long) Integer.MAX_VALUE * 64 + ")");
        }
        if (blockSizeBytes <= 0) {
            throw new IllegalArgumentException("blockSizeBytes: " + blockSizeBytes + " (expected: > 0)");
        }
        this.blockCount = blockCount;
        this.blockSizeBytes = blockSizeBytes;
        this.words = new AtomicLongArray((int) ((blockCount + 63) / 64));
        this.regionMarkNs = new AtomicLongArray(regionCount(blockCount));
        for (int r = 0; r < regionMarkNs.length(); r++) {
            regionMarkNs.set(r, NO_MARK);
        }
    }

    /** The region of mark times that {@code block} belongs to. */
    public static int regionOf(long block) {
        return (int) (block / REGION_BLOCKS);
    }

    /** How many regions of mark times a map of {@code blockCount} blocks has. */
    public static int regionCount(long blockCount) {
        return (int) ((blockCount + REGION_BLOCKS - 1) / REGION_BLOCKS);
    }

    /** An empty map covering a volume of {@code sizeBytes}; the last block may be partial. */
    public static DirtyMap forVolume(long sizeBytes, int blockSizeBytes) {
        if (blockSizeBytes <= 0) {
            throw new IllegalArgumentException("blockSizeBytes: " + blockSizeBytes + " (expected: > 0)");
        }
        return new DirtyMap((sizeBytes + blockSizeBytes - 1) / blockSizeBytes, blockSizeBytes);
    }

    public long blockCount() {
        return blockCount;
    }

    public int blockSizeBytes() {
        return blockSizeBytes;
    }

    /**
     * A second map that every later mark of this one also sets, whoever clears this one: the blocks
     * written since its owner last cleared them there. Created once, with every block marked (what
     * was written before it existed is not known). The sync agent's verification keeps it (see
     * {@code sync.KeptHashes}). Thread-safe.
     */
    public synchronized DirtyMap follower() {
        if (follower == null) {
            DirtyMap f = new DirtyMap(blockCount, blockSizeBytes);
            f.markAll();
            follower = f;
        }
        return follower;
    }

    /** Marks one block. */
    public void mark(long block) {
        checkBlock(block);
        DirtyMap f = follower;
        if (f != null) {
            f.mark(block);
        }
        setBits((int) (block >>> 6), 1L << block);
    }

    /** Marks every block that the byte range {@code [offset, offset + length)} touches; an empty range marks nothing. */
    public void markBytes(long offset, long length) {
        long volumeBytes = blockCount * blockSizeBytes;
        if (offset < 0 || length < 0 || offset + length > volumeBytes || offset + length < 0) {
            throw new IllegalArgumentException("byte range " + offset + " + " + length + " (expected: within 0-" + volumeBytes + ")");
        }
        if (length == 0) {
            return;
        }
        markRange(offset / blockSizeBytes, (offset + length - 1) / blockSizeBytes);
    }

    /** Marks every block. */
    public void markAll() {
        if (blockCount > 0) {
            markRange(0, blockCount - 1);
        }
    }

    private void markRange(long firstBlock, long lastBlock) {
        DirtyMap f = follower;
        if (f != null) {
            f.markRange(firstBlock, lastBlock);
        }
        int firstWord = (int) (firstBlock >>> 6);
        int lastWord = (int) (lastBlock >>> 6);
        for (int w = firstWord; w <= lastWord; w++) {
            long mask = -1L;
            if (w == firstWord) {
                mask &= -1L << firstBlock;
            }
            if (w == lastWord) {
                mask &= -1L >>> (63 - (lastBlock & 63));
            }
            setBits(w, mask);
        }
    }

    private void setBits(int word, long mask) {
        long old;
        do {
            old = words.get(word);
            if ((old & mask) == mask) {
                return;
            }
        } while (!words.compareAndSet(word, old, old | mask));
        long added = Long.bitCount(mask & ~old);
        if (count.getAndAdd(added) == 0) {
            dirtySinceNs = System.nanoTime();
        }
        // After the bits: a walk that forgets the region's time and then finds it clean is followed by this.
        int region = word >>> REGION_WORD_SHIFT;
        if (regionMarkNs.get(region) == NO_MARK) {
            regionMarkNs.compareAndSet(region, NO_MARK, markTime(System.nanoTime()));
        }
    }

    private static long markTime(long ns) {
        return ns == NO_MARK ? ns + 1 : ns;
    }

    /**
     * Called by the sync agent's walk once it has passed the whole of {@code region}, having
     * cleared every block of it that was dirty when the walk reached it, and having first reached
     * the region at {@code enteredNs}: a block of the region still dirty was marked after that.
     */
    public void regionWalked(int region, long enteredNs) {
        // Forget first, then look: a mark that this look misses sees NO_MARK and sets its own time.
        regionMarkNs.set(region, NO_MARK);
        int from = region << REGION_WORD_SHIFT;
        int to = Math.min(words.length(), from + (1 << REGION_WORD_SHIFT));
        for (int w = from; w < to; w++) {
            if (words.get(w) != 0) {
                lowerRegionTime(region, markTime(enteredNs));
                return;
            }
        }
    }

    private void lowerRegionTime(int region, long ns) {
        long old;
        do {
            old = regionMarkNs.get(region);
            if (old != NO_MARK && old - ns <= 0) {
                return;
            }
        } while (!regionMarkNs.compareAndSet(region, old, ns));
    }

    /** The time of {@code region}, or {@link Long#MIN_VALUE} when it has none. */
    long regionMarkNs(int region) {
        return regionMarkNs.get(region);
    }

    /**
     * A time no later than the mark of any dirty block: the later of {@link #dirtySinceNs()} and
     * the earliest time of a region; meaningless while {@link #count()} is 0.
     */
    public long oldestMarkNs() {
        long since = dirtySinceNs;
        long earliest = NO_MARK;
        for (int r = 0; r < regionMarkNs.length(); r++) {
            long t = regionMarkNs.get(r);
            if (t != NO_MARK && (earliest == NO_MARK || t - earliest < 0)) {
                earliest = t;
            }
        }
        return earliest != NO_MARK && earliest - since > 0 ? earliest : since;
    }

    /** Clears one block's bit; returns whether it was set. */
    public boolean clear(long block) {
        checkBlock(block);
        int word = (int) (block >>> 6);
        long bit = 1L << block;
        long old;
        do {
            old = words.get(word);
            if ((old & bit) == 0) {
                return false;
            }
        } while (!words.compareAndSet(word, old, old & ~bit));
        count.decrementAndGet();
        return true;
    }

    public boolean isDirty(long block) {
        checkBlock(block);
        return (words.get((int) (block >>> 6)) & (1L << block)) != 0;
    }

    /** The first marked block at or after {@code fromBlock}, or -1 when there is none. */
    public long nextDirty(long fromBlock) {
        if (fromBlock < 0) {
            throw new IllegalArgumentException("fromBlock: " + fromBlock + " (expected: >= 0)");
        }
        if (fromBlock >= blockCount) {
            return -1;
        }
        int w = (int) (fromBlock >>> 6);
        long bits = words.get(w) & (-1L << fromBlock);
        while (bits == 0) {
            if (++w == words.length()) {
                return -1;
            }
            bits = words.get(w);
        }
        return ((long) w << 6) + Long.numberOfTrailingZeros(bits);
    }

    /** How many blocks are marked. */
    public long count() {
        return count.get();
    }

    /**
     * {@link System#nanoTime()} when the map last went from empty to marked; meaningless while
     * {@link #count()} is 0. Right after that change it may still show the previous value (older, never newer).
     */
    public long dirtySinceNs() {
        return dirtySinceNs;
    }

    /** A snapshot in the layout drawn above; a bit marked while this runs may or may not be in it. */
    public byte[] toBytes() {
        int bitmapBytes = (int) ((blockCount + 7) / 8);
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + bitmapBytes).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).putLong(blockCount);
        for (int w = 0; w < words.length(); w++) {
            long bits = words.get(w);
            for (int b = 0; b < 8 && out.hasRemaining(); b++) {
                out.put((byte) (bits >>> (8 * b)));
            }
        }
        return out.array();
    }

    /** Reads what {@link #toBytes()} wrote for a volume of {@code blockCount} blocks; refuses anything else. */
    public static DirtyMap fromBytes(long blockCount, int blockSizeBytes, byte[] bytes) {
        DirtyMap map = new DirtyMap(blockCount, blockSizeBytes);
        int expected = HEADER_BYTES + (int) ((blockCount + 7) / 8);
        if (bytes.length != expected) {
            throw new IllegalArgumentException("dirty map length: " + bytes.length + " bytes (expected: " + expected + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt();
        int version = in.getShort();
        in.getShort();
        long storedBlocks = in.getLong();
        if (magic != MAGIC || version != VERSION) {
            throw new IllegalArgumentException(String.format("dirty map magic 0x%08x version %d (expected: 0x%08x version %d)",
                    magic, version, MAGIC, VERSION));
        }
        if (storedBlocks != blockCount) {
            throw new IllegalArgumentException("dirty map of " + storedBlocks + " blocks (expected: " + blockCount + ")");
        }
        long marked = 0;
        long loadedNs = markTime(System.nanoTime());
        for (int w = 0; w < map.words.length(); w++) {
            long bits = 0;
            for (int b = 0; b < 8 && in.hasRemaining(); b++) {
                bits |= (in.get() & 0xffL) << (8 * b);
            }
            if (w == map.words.length() - 1 && (blockCount & 63) != 0) {
                bits &= (1L << blockCount) - 1;
            }
            map.words.set(w, bits);
            marked += Long.bitCount(bits);
            if (bits != 0) {
                map.regionMarkNs.set(w >>> REGION_WORD_SHIFT, loadedNs);
            }
        }
        map.count.set(marked);
        map.dirtySinceNs = loadedNs;
        return map;
    }

    private void checkBlock(long block) {
        if (block < 0 || block >= blockCount) {
            throw new IllegalArgumentException("block: " + block + " (expected: 0-" + (blockCount - 1) + ")");
        }
    }
}
