package io.replicator.target.journal.internal;

import io.replicator.target.journal.JournalCorruptException;
import io.replicator.target.journal.JournalEntry;
import java.nio.ByteBuffer;
import java.util.NavigableMap;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Finds the last whole entry of a journal when it opens. Only what was appended after the last sync
 * can be damaged by a crash, and that lies in the newest cycle or, right after a roll, the one before:
 * so it checks every entry of the last two cycles (magic, lengths, CRC32C, entry numbers without a
 * gap) and stops at the first that fails. Whatever Chronicle Queue counts beyond the last whole entry
 * (an entry it cannot read, or that fails) is damage: {@link #cutIndex()} says where to cut.
 * Older cycles were forced long ago; damage there is found when they are read.
 *
 * <p>Not thread-safe: used once, by the thread that opens the journal.
 */
public final class TailScan {
    /** Returned by {@link #cutIndex()} when nothing needs cutting. */
    public static final long NO_CUT = -1;

    private JournalEntry last;
    private long lastBlockSequence;
    private long cutIndex = NO_CUT;
    private String damage;
    private long entriesChecked;

    private TailScan() {
    }

    /** Checks the tail of {@code queue} in {@code where} (its directory, for messages). */
    public static TailScan of(SingleChronicleQueue queue, String where) throws java.io.IOException {
        TailScan scan = new TailScan();
        NavigableMap<Integer, java.nio.file.Path> cycles = Queues.cycles(queue.file().toPath());
        if (cycles.isEmpty()) {
            return scan;
        }
        int fromCycle = cycles.size() >= 2 ? cycles.lowerKey(cycles.lastKey()) : cycles.firstKey();
        scan.run(queue, fromCycle, where);
        if (scan.last == null && scan.cutIndex == NO_CUT && fromCycle != cycles.firstKey()) {
            scan.run(queue, cycles.firstKey(), where); // the newest cycles hold nothing: look further back
        }
        return scan;
    }

    private void run(SingleChronicleQueue queue, int fromCycle, String where) {
        ExcerptTailer tailer = queue.createTailer();
        if (!tailer.moveToCycle(fromCycle)) {
            tailer.toStart();
        }
        byte[] scratch = new byte[EntryFormat.MAX_ENTRY_BYTES];
        long expectedNumber = -1;
        long lastIndex = NO_CUT;
        while (true) {
            long index = tailer.index();
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                index = dc.index();
                Bytes<?> bytes = dc.wire().bytes();
                long length = bytes.readRemaining();
                if (length > scratch.length) {
                    throw new JournalCorruptException(String.format("journal %s: entry at position 0x%x of %d bytes "
                            + "(expected: at most %d)", where, index, length, scratch.length));
                }
                bytes.read(scratch, 0, (int) length);
                JournalEntry entry = EntryDecoder.decode(ByteBuffer.wrap(scratch, 0, (int) length), index, where);
                if (expectedNumber >= 0 && entry.entryNumber() != expectedNumber) {
                    throw new JournalCorruptException(String.format("journal %s: entry at position 0x%x has number %d "
                            + "(expected: %d)", where, index, entry.entryNumber(), expectedNumber));
                }
                expectedNumber = entry.entryNumber() + 1;
                last = entry;
                lastIndex = index;
                lastBlockSequence = entry instanceof JournalEntry.Block block ? block.sequence()
                        : ((JournalEntry.Marker) entry).sequence();
                entriesChecked++;
            } catch (JournalCorruptException | RuntimeException | AssertionError e) {
                // AssertionError: Chronicle Queue's own checks, when assertions are on, fail on garbage.
                damage = e.getMessage() != null ? e.getMessage() : e.toString();
                cutIndex = index;
                return;
            }
        }
        long cutHere = lastIndex == NO_CUT ? Queues.ROLL_CYCLE.toIndex(fromCycle, 0) : lastIndex + 1;
        long chronicleLast;
        try {
            chronicleLast = queue.lastIndex();
        } catch (RuntimeException | AssertionError e) {
            damage = String.format("journal %s: Chronicle Queue cannot find its end after position 0x%x: %s", where,
                    lastIndex, e);
            cutIndex = cutHere;
            return;
        }
        if (chronicleLast > lastIndex) {
            damage = String.format("journal %s: Chronicle Queue counts entries up to position 0x%x, the last whole "
                    + "one is at 0x%x", where, chronicleLast, lastIndex);
            cutIndex = cutHere;
        }
    }

    /** The last whole entry, null when there is none in the cycles checked. */
    public JournalEntry last() {
        return last;
    }

    /** The highest block sequence the last whole entry covers (a block's own, a marker's), 0 when none. */
    public long lastBlockSequence() {
        return lastBlockSequence;
    }

    /** Where the damage starts (everything from there on goes), or {@link #NO_CUT}. */
    public long cutIndex() {
        return cutIndex;
    }

    /** What was wrong at {@link #cutIndex()}, null when nothing was. */
    public String damage() {
        return damage;
    }

    public long entriesChecked() {
        return entriesChecked;
    }
}
