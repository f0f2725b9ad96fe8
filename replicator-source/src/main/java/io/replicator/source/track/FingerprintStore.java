package io.replicator.source.track;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-block fingerprints of what the target durably holds, in a file in the state directory, with
 * a small page cache so that the heap stays flat whatever the volume size (a 1 TiB volume of 4 KiB
 * blocks has a 2 GiB sparse file; at most {@link #CACHED_PAGES} pages of it are in memory).
 *
 * <pre>
 *  0        4        6        8          16               20                28       32
 *  +--------+--------+--------+----------+----------------+-----------------+--------+
 *  | magic  | version| rsvd   | sizeBytes| blockSizeBytes | lastAckSequence | rsvd   |  header
 *  | u32    | u16    | u16    | u64      | u32            | u64             | u32    |
 *  +--------+--------+--------+----------+----------------+-----------------+--------+
 *  | fingerprint of block 0 (u64) | block 1 | ...                                      |  from 4096
 * </pre>
 * Big-endian. A fingerprint of {@link #UNKNOWN} means the target is not known to hold the block.
 * A file whose header does not match the volume is discarded and every block is unknown. Not
 * thread-safe: owned by the sync agent's thread.
 */
public final class FingerprintStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FingerprintStore.class);
    public static final long UNKNOWN = 0;
    static final int MAGIC = 0x52504650; // "RPFP"
    static final int VERSION = 1;
    static final int HEADER_BYTES = 4096;
    static final int LAST_ACK_OFFSET = 20;
    static final int PAGE_ENTRIES = 4096;
    /** 8 MiB of entries: 4 GiB of a volume's 4 KiB blocks, so random writes to a few GiB do not thrash. */
    static final int CACHED_PAGES = 256;

    private final FileChannel channel;
    private final long blockCount;
    private final Map<Long, Page> pages = new LinkedHashMap<>(CACHED_PAGES * 2, 0.75f, true);
    /** One page's bytes on their way to or from the file, reused. */
    private final ByteBuffer pageBuffer = ByteBuffer.allocateDirect(PAGE_ENTRIES * 8);
    private long knownBlocks;
    private long lastAckSequence;

    private static final class Page {
        final long[] entries = new long[PAGE_ENTRIES];
        boolean dirty;
    }

    private FingerprintStore(FileChannel channel, long blockCount) {
        this.channel = channel;
        this.blockCount = blockCount;
    }

    /** Opens or creates the store for a volume; a mismatching or damaged file starts over with a log line saying why. */
    public static FingerprintStore open(Path file, long sizeBytes, int blockSizeBytes) throws IOException {
        long blockCount = (sizeBytes + blockSizeBytes - 1) / blockSizeBytes;
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FingerprintStore store = new FingerprintStore(channel, blockCount);
        try {
            String problem = store.readHeader(sizeBytes, blockSizeBytes);
            if (problem != null) {
                if (channel.size() > 0) {
                    LOG.warn("state file {} {}: starting over, every block will be compared again", file, problem);
                }
                channel.truncate(0);
                store.writeHeader(sizeBytes, blockSizeBytes);
                store.extendWithZeros();
            } else {
                store.countKnown();
            }
            return store;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private String readHeader(long sizeBytes, int blockSizeBytes) throws IOException {
        if (channel.size() < HEADER_BYTES + blockCount * 8) {
            return channel.size() == 0 ? "is new" : "is shorter than the volume needs";
        }
        ByteBuffer h = ByteBuffer.allocate(32);
        channel.read(h, 0);
        h.flip();
        int magic = h.getInt();
        int version = h.getShort();
        h.getShort();
        long size = h.getLong();
        int bs = h.getInt();
        long lastAck = h.getLong();
        if (magic != MAGIC || version != VERSION) {
            return String.format("has magic 0x%08x version %d (expected 0x%08x version %d)", magic, version, MAGIC, VERSION);
        }
        if (size != sizeBytes || bs != blockSizeBytes) {
            return String.format("describes %d bytes in blocks of %d (volume now: %d in blocks of %d)",
                    size, bs, sizeBytes, blockSizeBytes);
        }
        lastAckSequence = lastAck;
        return null;
    }

    private void writeHeader(long sizeBytes, int blockSizeBytes) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(32);
        h.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).putLong(sizeBytes).putInt(blockSizeBytes)
                .putLong(lastAckSequence).putInt(0).flip();
        writeFully(h, 0);
    }

    /** Grows the file to its full length; the new bytes read as zero (UNKNOWN) and stay sparse. */
    private void extendWithZeros() throws IOException {
        long length = HEADER_BYTES + blockCount * 8;
        if (channel.size() < length) {
            writeFully(ByteBuffer.allocate(1), length - 1);
        }
    }

    private void countKnown() throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(PAGE_ENTRIES * 8);
        long known = 0;
        for (long first = 0; first < blockCount; first += PAGE_ENTRIES) {
            buf.clear().limit((int) Math.min(PAGE_ENTRIES, blockCount - first) * 8);
            readFully(buf, HEADER_BYTES + first * 8);
            buf.flip();
            while (buf.hasRemaining()) {
                if (buf.getLong() != UNKNOWN) {
                    known++;
                }
            }
        }
        knownBlocks = known;
    }

    public long get(long block) throws IOException {
        return page(block).entries[(int) (block % PAGE_ENTRIES)];
    }

    public void set(long block, long fingerprint) throws IOException {
        Page page = page(block);
        int i = (int) (block % PAGE_ENTRIES);
        long old = page.entries[i];
        if (old == fingerprint) {
            return;
        }
        if (old == UNKNOWN) {
            knownBlocks++;
        } else if (fingerprint == UNKNOWN) {
            knownBlocks--;
        }
        page.entries[i] = fingerprint;
        page.dirty = true;
    }

    /** Blocks whose content the target is known to hold. */
    public long knownBlocks() {
        return knownBlocks;
    }

    public long blockCount() {
        return blockCount;
    }

    /** The highest sequence the target acknowledged when this store was last flushed. */
    public long lastAckSequence() {
        return lastAckSequence;
    }

    public void lastAckSequence(long sequence) {
        this.lastAckSequence = sequence;
    }

    /** Forgets everything: every block becomes unknown (the target lost what it had). */
    public void clear() throws IOException {
        pages.clear();
        channel.truncate(HEADER_BYTES);
        extendWithZeros();
        knownBlocks = 0;
        lastAckSequence = 0;
    }

    /**
     * Writes dirty pages and the last acknowledged sequence to the file without forcing it: cheap,
     * and enough for them to survive the process being killed (not yet a power loss).
     */
    public void write() throws IOException {
        for (Map.Entry<Long, Page> e : pages.entrySet()) {
            writePage(e.getKey(), e.getValue());
        }
        ByteBuffer ack = ByteBuffer.allocate(8).putLong(0, lastAckSequence);
        writeFully(ack, LAST_ACK_OFFSET);
    }

    /** Writes dirty pages and the header, then forces the file. */
    public void flush() throws IOException {
        write();
        channel.force(false);
    }

    private Page page(long block) throws IOException {
        if (block < 0 || block >= blockCount) {
            throw new IndexOutOfBoundsException("block " + block + " of " + blockCount);
        }
        long index = block / PAGE_ENTRIES;
        Page page = pages.get(index);
        if (page != null) {
            return page;
        }
        if (pages.size() >= CACHED_PAGES) {
            Iterator<Map.Entry<Long, Page>> eldest = pages.entrySet().iterator();
            Map.Entry<Long, Page> e = eldest.next();
            writePage(e.getKey(), e.getValue());
            eldest.remove();
        }
        page = new Page();
        long first = index * PAGE_ENTRIES;
        int n = (int) Math.min(PAGE_ENTRIES, blockCount - first);
        ByteBuffer buf = pageBuffer.clear().limit(n * 8);
        readFully(buf, HEADER_BYTES + first * 8);
        buf.flip().asLongBuffer().get(page.entries, 0, n);
        pages.put(index, page);
        return page;
    }

    private void writePage(long index, Page page) throws IOException {
        if (!page.dirty) {
            return;
        }
        long first = index * PAGE_ENTRIES;
        int n = (int) Math.min(PAGE_ENTRIES, blockCount - first);
        ByteBuffer buf = pageBuffer.clear().limit(n * 8);
        buf.asLongBuffer().put(page.entries, 0, n);
        writeFully(buf, HEADER_BYTES + first * 8);
        page.dirty = false;
    }

    private void readFully(ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) {
                throw new IOException("state file ended early at " + (position + buf.position()));
            }
        }
    }

    private void writeFully(ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf, position + buf.position());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
