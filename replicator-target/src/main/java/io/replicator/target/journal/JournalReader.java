package io.replicator.target.journal;

import io.replicator.target.journal.internal.EntryDecoder;
import io.replicator.target.journal.internal.EntryFormat;
import java.io.IOException;
import io.replicator.target.journal.internal.Queues;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads a journal's durable entries in order, after a given position; every entry is checked
 * before it is returned. Not thread-safe: it belongs to the thread that first calls {@link #next()}
 * (Chronicle Queue's tailers are single-threaded).
 */
public final class JournalReader implements AutoCloseable {
    private final SingleChronicleQueue queue;
    private final String where;
    private final long afterPosition;
    private final LongSupplier durablePosition;
    private final byte[] scratch = new byte[EntryFormat.MAX_ENTRY_BYTES];
    private ExcerptTailer tailer;
    private long lastFileOffset = -1;
    private int lastLength;
    /** The queue this reader opened for itself and closes with it; null when it reads an open journal's. */
    private SingleChronicleQueue owned;

    JournalReader(SingleChronicleQueue queue, String where, long afterPosition, LongSupplier durablePosition) {
        this.queue = queue;
        this.where = where;
        this.afterPosition = afterPosition;
        this.durablePosition = durablePosition;
    }

    /**
     * The next durable entry, or null when there is none yet.
     *
     * @throws JournalCorruptException when the next entry fails its checks
     * @throws IOException when the position to start after was pruned or never was in the journal
     */
    public JournalEntry next() throws IOException {
        if (tailer == null) {
            tailer = position();
        }
        long limit = durablePosition.getAsLong();
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            if (dc.index() > limit) {
                dc.rollbackOnClose();
                return null;
            }
            Bytes<?> bytes = dc.wire().bytes();
            long length = bytes.readRemaining();
            if (length > scratch.length) {
                throw new JournalCorruptException(String.format("journal %s: entry at position 0x%x of %d bytes "
                        + "(expected: at most %d)", where, dc.index(), length, scratch.length));
            }
            lastFileOffset = bytes.readPosition();
            lastLength = (int) length;
            bytes.read(scratch, 0, (int) length);
            return EntryDecoder.decode(ByteBuffer.wrap(scratch, 0, (int) length), dc.index(), where);
        }
    }

    /**
     * Where the bytes of the entry {@link #next()} returned last lie in its cycle file (the file of
     * cycle {@code Queues.ROLL_CYCLE.toCycle(position)}): their offset from the file's start, so that
     * a reader can read the entry again from the file ({@code EntryDecoder} checks and decodes it);
     * -1 before the first entry.
     */
    public long lastFileOffset() {
        return lastFileOffset;
    }

    /** The length in bytes of the entry {@link #next()} returned last. */
    public int lastLength() {
        return lastLength;
    }

    /**
     * A reader of the journal in {@code dir} (a source's journal directory, or its {@code undo}) that
     * opens the queue for itself, read-only, so that another thread, or no process at all, may be
     * writing it: it reads entries after {@code afterPosition} ({@code -1}: from the oldest kept) up to
     * {@code durablePosition} (what the writer reports durable; {@link Long#MAX_VALUE} when nobody
     * writes it). Closing it closes its queue.
     */
    public static JournalReader detached(Path dir, JournalConfig config, long afterPosition,
                                         LongSupplier durablePosition) throws IOException {
        JournalJvm.requireFlags();
        if (!Files.isDirectory(dir)) {
            throw new IOException("journal " + dir + " does not exist");
        }
        SingleChronicleQueue queue = Queues.openReadOnly(dir, config);
        JournalReader reader = new JournalReader(queue, dir.toString(), afterPosition, durablePosition);
        reader.owned = queue;
        return reader;
    }

    private ExcerptTailer position() throws IOException {
        ExcerptTailer created = queue.createTailer();
        if (afterPosition < 0) {
            created.toStart();
            return created;
        }
        if (!created.moveToIndex(afterPosition)) {
            long first = queue.firstIndex();
            created.close();
            throw new IOException(String.format("journal %s: position 0x%x is not in the journal (%s)", where,
                    afterPosition, afterPosition < first ? String.format("pruned: the oldest kept is 0x%x", first)
                            : "it was never written"));
        }
        try (DocumentContext dc = created.readingDocument()) {
            // Skips the entry at afterPosition itself.
        }
        return created;
    }

    @Override
    public void close() {
        if (tailer != null) {
            tailer.close();
        }
        if (owned != null) {
            owned.close();
        }
    }
}
