package io.replicator.target.journal.internal;

import io.replicator.target.internal.DurableFiles;
import io.replicator.target.journal.JournalConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.InternalAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Cuts a journal at a position: everything from there on is gone, everything before stays at the
 * same positions. Chronicle Queue cannot truncate a cycle file, so the cycle holding the cut is
 * moved aside into {@code repair/}, every later cycle is deleted, and the entries of the moved
 * cycle before the cut are written back at their own positions; then {@code repair/} goes. Costs one
 * copy of at most one cycle (five minutes of data), and only when a journal was damaged.
 *
 * <p>Crash-safe: {@code repair/cut} (written and forced before anything moves) records the cut; a
 * journal that finds it when it opens finishes the repair: when the cycle was already moved aside,
 * whatever was written back is dropped and written back again; when it was not, the scan finds the
 * same damage again.
 *
 * <p>Not thread-safe: used by the thread that opens the journal, while no queue is open on it.
 */
public final class TailRepair {
    public static final String REPAIR_DIR = "repair";
    private static final String CUT_FILE = "cut";
    /** Chronicle Queue's document header bit for "being written". */
    private static final int NOT_COMPLETE = 0x80000000;

    private TailRepair() {
    }

    /** Cuts the journal in {@code dir} at {@code cutIndex}. */
    public static void cut(Path dir, JournalConfig config, long cutIndex) throws IOException {
        Path repair = dir.resolve(REPAIR_DIR);
        deleteTree(repair);
        Files.createDirectories(repair);
        Path temp = repair.resolve(CUT_FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap((Long.toString(cutIndex) + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
        }
        Files.move(temp, repair.resolve(CUT_FILE), StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.forceDirectory(repair);
        DurableFiles.forceDirectory(dir);
        int cycle = Queues.ROLL_CYCLE.toCycle(cutIndex);
        Path file = Queues.file(dir, cycle);
        if (Files.exists(file)) {
            Files.move(file, repair.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.forceDirectory(repair);
        }
        writeBack(dir, config, repair, cutIndex);
    }

    /**
     * Deletes the files Chronicle Queue created but was killed before it wrote their first header
     * (a roll cut short): they hold no entry, and Chronicle would wait for that header for ever.
     * Returns how many it deleted.
     */
    public static int dropUninitialised(Path dir) throws IOException {
        int dropped = 0;
        java.util.List<Path> files = new java.util.ArrayList<>(Queues.cycles(dir).values());
        files.add(dir.resolve(Queues.METADATA_FILE));
        for (Path file : files) {
            if (Files.exists(file) && !initialised(file)) {
                Files.delete(file);
                dropped++;
            }
        }
        if (dropped > 0) {
            DurableFiles.forceDirectory(dir);
        }
        return dropped;
    }

    /** Whether {@code file} starts with a whole Chronicle header (little-endian; bit 31 says not complete). */
    private static boolean initialised(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (channel.read(first, 0) < 4) {
                return false;
            }
            int header = first.getInt(0);
            return header != 0 && (header & NOT_COMPLETE) == 0;
        }
    }

    /** Finishes a repair that a crash interrupted; does nothing when there is none. */
    public static void finishInterrupted(Path dir, JournalConfig config) throws IOException {
        Path repair = dir.resolve(REPAIR_DIR);
        Path cutFile = repair.resolve(CUT_FILE);
        if (!Files.exists(cutFile)) {
            deleteTree(repair);
            return;
        }
        long cutIndex = Long.parseLong(Files.readString(cutFile, StandardCharsets.US_ASCII).trim());
        int cycle = Queues.ROLL_CYCLE.toCycle(cutIndex);
        Path moved = repair.resolve(Queues.file(dir, cycle).getFileName());
        if (!Files.exists(moved)) {
            deleteTree(repair); // the cycle never moved: the journal is as it was, and its scan finds the damage again
            DurableFiles.forceDirectory(dir);
            return;
        }
        Files.deleteIfExists(Queues.file(dir, cycle));
        writeBack(dir, config, repair, cutIndex);
    }

    private static void writeBack(Path dir, JournalConfig config, Path repair, long cutIndex) throws IOException {
        int cycle = Queues.ROLL_CYCLE.toCycle(cutIndex);
        for (var later : Queues.cycles(dir).tailMap(cycle, true).values()) {
            Files.delete(later);
        }
        DurableFiles.forceDirectory(dir);
        if (Files.exists(repair.resolve(Queues.file(dir, cycle).getFileName()))
                && Queues.ROLL_CYCLE.toSequenceNumber(cutIndex) > 0) {
            copyBefore(dir, config, repair, cycle, cutIndex);
        }
        deleteTree(repair);
        DurableFiles.forceDirectory(dir);
    }

    private static void copyBefore(Path dir, JournalConfig config, Path repair, int cycle, long cutIndex)
            throws IOException {
        Bytes<?> copy = Bytes.allocateElasticOnHeap(EntryFormat.MAX_ENTRY_BYTES);
        try (SingleChronicleQueue damaged = Queues.open(repair, config);
             SingleChronicleQueue queue = Queues.open(dir, config)) {
            ExcerptTailer tailer = damaged.createTailer();
            if (!tailer.moveToCycle(cycle)) {
                throw new IOException("journal " + dir + ": the cycle moved aside for repair cannot be read");
            }
            InternalAppender appender = (InternalAppender) queue.createAppender();
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent() || dc.index() >= cutIndex) {
                        break;
                    }
                    copy.clear();
                    copy.write(dc.wire().bytes());
                    appender.writeBytes(dc.index(), copy);
                }
            }
            appender.close();
        } finally {
            copy.releaseLast();
        }
        try (FileChannel channel = FileChannel.open(Queues.file(dir, cycle), StandardOpenOption.READ)) {
            channel.force(false);
        }
        Path metadata = dir.resolve(Queues.METADATA_FILE);
        if (Files.exists(metadata)) {
            try (FileChannel channel = FileChannel.open(metadata, StandardOpenOption.READ)) {
                channel.force(false);
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
