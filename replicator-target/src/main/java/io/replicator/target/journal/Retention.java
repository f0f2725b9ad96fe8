package io.replicator.target.journal;

import io.replicator.target.internal.DurableFiles;
import io.replicator.target.journal.internal.EntryDecoder;
import io.replicator.target.journal.internal.Queues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Retention of one journal: prunes whole cycle files, oldest first, when they are older than
 * {@code --retain} or while the journal is over {@code --journal-max-bytes}, and says what is held.
 * A cycle's size is what Chronicle Queue wrote of it (up to the start of its last entry), not the
 * sparse length of its file. Not thread-safe: the journal's owner thread.
 */
final class Retention {
    private final Path dir;
    private final JournalConfig config;
    private final SingleChronicleQueue queue;
    private boolean prunedForSize;
    /** Sizes of cycles older than the newest: they no longer grow. */
    private final Map<Integer, Long> closedSizes = new HashMap<>();

    Retention(Path dir, JournalConfig config, SingleChronicleQueue queue) {
        this.dir = dir;
        this.config = config;
        this.queue = queue;
    }

    /** Prunes; {@code appliedPosition} and later (and {@code appendingCycle}) are never touched. */
    RetentionReport prune(long appliedPosition, int appendingCycle, SourceJournal.Mark durable) throws IOException {
        NavigableMap<Integer, Path> cycles = Queues.cycles(dir);
        if (cycles.isEmpty() || appliedPosition < 0) {
            return report(durable, 0, 0, false);
        }
        int keepFrom = Math.min(cycles.lastKey(), Queues.ROLL_CYCLE.toCycle(appliedPosition));
        if (appendingCycle != Integer.MIN_VALUE) {
            keepFrom = Math.min(keepFrom, appendingCycle);
        }
        long nowMs = config.clockMs().getAsLong();
        long oldestKeptEndMs = nowMs - config.retain().toMillis();
        long totalBytes = totalBytes(cycles);
        int pruned = 0;
        long bytesPruned = 0;
        for (Map.Entry<Integer, Path> entry : cycles.headMap(keepFrom, false).entrySet()) {
            boolean old = Queues.startMs(entry.getKey() + 1) <= oldestKeptEndMs;
            boolean big = totalBytes > config.maxBytes();
            if (!old && !big) {
                break;
            }
            long bytes = usedBytes(entry.getKey(), cycles.lastKey());
            Files.delete(entry.getValue());
            closedSizes.remove(entry.getKey());
            totalBytes -= bytes;
            bytesPruned += bytes;
            pruned++;
            prunedForSize |= !old;
        }
        if (pruned > 0) {
            DurableFiles.forceDirectory(dir);
            queue.refreshDirectoryListing();
        }
        return report(durable, pruned, bytesPruned, true);
    }

    RetentionReport report(SourceJournal.Mark durable, int pruned, long bytesPruned, boolean listingFresh)
            throws IOException {
        if (!listingFresh) {
            queue.refreshDirectoryListing();
        }
        long sizeBytes = totalBytes(Queues.cycles(dir));
        long nowMs = config.clockMs().getAsLong();
        long oldestPosition = -1;
        long oldestTimeMs = 0;
        try (ExcerptTailer tailer = queue.createTailer()) {
            try (DocumentContext dc = tailer.toStart().readingDocument()) {
                if (dc.isPresent() && dc.index() <= durable.position()) {
                    Bytes<?> bytes = dc.wire().bytes();
                    byte[] entry = new byte[(int) bytes.readRemaining()];
                    bytes.read(entry);
                    oldestPosition = dc.index();
                    oldestTimeMs = EntryDecoder.decode(ByteBuffer.wrap(entry), oldestPosition, dir.toString()).timeMs();
                }
            }
        }
        Duration held = oldestPosition < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, nowMs - oldestTimeMs));
        return new RetentionReport(oldestPosition, oldestPosition < 0 ? -1 : durable.position(), oldestTimeMs,
                oldestPosition < 0 ? 0 : durable.timeMs(), sizeBytes, config.retain(), held,
                held.compareTo(config.retain()) < 0, prunedForSize, pruned, bytesPruned);
    }

    private long totalBytes(NavigableMap<Integer, Path> cycles) {
        long total = 0;
        for (int cycle : cycles.keySet()) {
            total += usedBytes(cycle, cycles.lastKey());
        }
        return total;
    }

    private long usedBytes(int cycle, int newestCycle) {
        Long known = closedSizes.get(cycle);
        if (known != null) {
            return known;
        }
        long bytes = writtenBytes(cycle);
        if (cycle < newestCycle) {
            closedSizes.put(cycle, bytes);
        }
        return bytes;
    }

    private long writtenBytes(int cycle) {
        SingleChronicleQueueStore store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null) {
            return 0;
        }
        try {
            return store.writePosition();
        } finally {
            queue.closeStore(store);
        }
    }
}
