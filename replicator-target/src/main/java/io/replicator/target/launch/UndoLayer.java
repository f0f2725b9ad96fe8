package io.replicator.target.launch;

import io.replicator.protocol.wire.Encoding;
import io.replicator.target.journal.JournalEntry;
import io.replicator.target.journal.internal.EntryDecoder;
import io.replicator.target.journal.internal.EntryFormat;
import io.replicator.target.journal.internal.Queues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.zip.CRC32C;
import net.openhft.chronicle.core.io.IOTools;

/**
 * Lays the undo's contents at the checkpoint into the chunks of a volume as the copy passes them:
 * each run of the {@link UndoIndex} in a chunk is read again from its cycle file, checked (its
 * header against what the index read, then the plain bytes' CRC32C: the whole entry's CRC32C was
 * checked as the index read it) and copied from the map into the chunk's buffer at its place. The
 * cycle files are read through read-only memory maps of up to 1 GiB each, from the page cache the
 * index's read filled: the runs are in volume order, so scattered over the files, and a map costs a
 * page fault per 64 KiB touched (the kernel maps the pages around a fault) where a read would cost a
 * system call per run. The maps are released when closed. Owned by one thread; other threads lay
 * through {@link #sibling()}s of their own.
 */
final class UndoLayer implements AutoCloseable {
    private final Path undoDir;
    private final String where;
    private final UndoIndex index;
    private final UndoRestore decoder;
    private final Map<Integer, FileChannel> files = new HashMap<>();
    private final Map<Long, MappedByteBuffer> maps = new HashMap<>();
    private final CRC32C crc = new CRC32C();
    private NavigableMap<Integer, Path> cycles;
    private long layNs;
    /** The layer this one is a {@link #sibling()} of. */
    private UndoLayer parent;
    /** The entry decoded last and its plain bytes: a long entry cut at chunks' edges is decoded once. */
    private long lastPosition = -1;
    private ByteBuffer lastPlain;
    /** A map's span: an entry starting in it ends in it, as a map holds an entry's longest more besides. */
    private static final long WINDOW_BYTES = 1L << 30;

    UndoLayer(Path undoDir, String where, UndoIndex index, UndoRestore decoder) {
        this.undoDir = undoDir;
        this.where = where;
        this.index = index;
        this.decoder = decoder;
    }

    /**
     * Another layer over the same index and undo queue, with maps and a decoder of its own, for
     * another thread; its time counts in this one's once it is closed.
     */
    UndoLayer sibling() {
        UndoLayer sibling = new UndoLayer(undoDir, where, index, decoder.sibling());
        sibling.parent = this;
        return sibling;
    }

    /** Whether {@code volume}'s chunk {@code chunk} has anything to lay. */
    boolean has(int volume, int chunk) {
        return index.hasRuns(volume, chunk);
    }

    /**
     * Lays the runs of {@code volume}'s chunk {@code chunk} into {@code buffer} (position 0 is the
     * chunk's first byte, {@code blockSize} bytes a block) and sets in {@code laid} the blocks of the
     * chunk they cover.
     */
    void lay(int volume, int chunk, long chunkStart, ByteBuffer buffer, int blockSize, boolean[] laid)
            throws IOException {
        long t0 = System.nanoTime();
        for (int run : index.runs(volume, chunk)) {
            long position = index.position(run);
            int at = (int) (index.offset(run) - chunkStart);
            if (position == lastPosition) {
                buffer.put(at, lastPlain, lastPlain.position() + index.skip(run), index.length(run));
                markLaid(laid, at, index.length(run), blockSize);
                continue;
            }
            JournalEntry entry = EntryDecoder.decodeAgain(entryBytes(position, index.fileOffset(run),
                    index.entryLength(run)), position, where);
            if (!(entry instanceof JournalEntry.Block block) || block.volume() != volume
                    || index.offset(run) - index.skip(run) != block.offset()) {
                throw new IOException(String.format("undo queue %s: the entry at position 0x%x read again is not the "
                        + "block of volume %d read before", where, position, volume));
            }
            ByteBuffer plain;
            if (block.encoding() == Encoding.RAW) {
                crc.reset();
                crc.update(block.payload().duplicate());
                if ((int) crc.getValue() != block.plainCrc32c() || block.payload().remaining() != block.lengthBytes()) {
                    throw new IOException(String.format("undo queue %s: entry at position 0x%x fails its check: CRC32C"
                            + " of its %d plain bytes 0x%08x (expected: 0x%08x of %d)", where, position,
                            block.payload().remaining(), (int) crc.getValue(), block.plainCrc32c(),
                            block.lengthBytes()));
                }
                plain = block.payload();
            } else {
                plain = decoder.decode(block);
            }
            lastPosition = position;
            lastPlain = plain;
            buffer.put(at, plain, plain.position() + index.skip(run), index.length(run));
            markLaid(laid, at, index.length(run), blockSize);
        }
        long spent = System.nanoTime() - t0;
        synchronized (this) {
            layNs += spent;
        }
    }

    private static void markLaid(boolean[] laid, int at, int length, int blockSize) {
        for (int b = at / blockSize; b < (at + length + blockSize - 1) / blockSize; b++) {
            laid[b] = true;
        }
    }

    /** The {@code length} bytes at {@code fileOffset} of the cycle file of {@code position}. */
    private ByteBuffer entryBytes(long position, long fileOffset, int length) throws IOException {
        int cycle = Queues.ROLL_CYCLE.toCycle(position);
        long window = fileOffset / WINDOW_BYTES;
        long key = ((long) cycle << 24) | window;
        MappedByteBuffer map = maps.get(key);
        if (map == null) {
            FileChannel channel = file(cycle);
            long start = window * WINDOW_BYTES;
            long length0 = Math.max(0, Math.min(channel.size() - start, WINDOW_BYTES + EntryFormat.MAX_ENTRY_BYTES));
            map = channel.map(FileChannel.MapMode.READ_ONLY, start, length0);
            maps.put(key, map);
        }
        int at = (int) (fileOffset - window * WINDOW_BYTES);
        if (at + length > map.capacity()) {
            throw new IOException(String.format("undo queue %s: entry at position 0x%x: bytes %d to %d of its cycle file"
                    + " are past its end (%d bytes)", where, position, fileOffset, fileOffset + length,
                    window * WINDOW_BYTES + map.capacity()));
        }
        return map.slice(at, length);
    }

    private FileChannel file(int cycle) throws IOException {
        FileChannel channel = files.get(cycle);
        if (channel == null) {
            if (cycles == null || !cycles.containsKey(cycle)) {
                cycles = Queues.cycles(undoDir);
            }
            Path path = cycles.getOrDefault(cycle, Queues.file(undoDir, cycle));
            channel = FileChannel.open(path, StandardOpenOption.READ);
            files.put(cycle, channel);
        }
        return channel;
    }

    /** Nanoseconds spent reading, checking and laying undo, of the copy's time (its closed siblings' too). */
    synchronized long layNs() {
        return layNs;
    }

    @Override
    public void close() throws IOException {
        if (parent != null) {
            synchronized (parent) {
                parent.layNs += layNs;
            }
            parent = null;
        }
        maps.values().forEach(IOTools::clean);
        maps.clear();
        IOException failed = null;
        for (FileChannel channel : files.values()) {
            try {
                channel.close();
            } catch (IOException e) {
                failed = e;
            }
        }
        files.clear();
        if (failed != null) {
            throw failed;
        }
    }
}
