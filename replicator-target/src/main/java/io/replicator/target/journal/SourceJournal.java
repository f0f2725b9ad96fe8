package io.replicator.target.journal;

import io.replicator.target.internal.DurableFiles;
import static io.replicator.target.journal.internal.EntryFormat.*;

import io.replicator.protocol.wire.Encoding;
import io.replicator.target.journal.internal.ForceSet;
import io.replicator.target.journal.internal.Queues;
import io.replicator.target.journal.internal.SpaceGuard;
import io.replicator.target.journal.internal.TailRepair;
import io.replicator.target.journal.internal.TailScan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal of one source on the receiver: a Chronicle Queue in {@code JOURNAL_DIR/ID}, holding
 * what the source sent (its blocks as received, compressed or not) and its barrier and checkpoint
 * markers, in order, each entry self-checking ({@link io.replicator.target.journal.internal.EntryFormat}).
 *
 * <p>Durability: an append is in memory (a mapped file) only. {@link #sync()} forces every file
 * appended to since the last sync and returns the highest block sequence that is now on stable
 * storage; only that may be acknowledged. Syncs are group commits: one force covers every append made
 * before it started, and callers that arrive while one runs share the next.
 *
 * <p>Opening recovers: the tail is checked entry by entry, and a journal cut short or garbled after
 * a crash is cut at its last whole entry ({@link TailRepair}), which is then forced, so the durable
 * position on opening is that entry. A failed force leaves the journal failed: every later call
 * throws, and only reopening (which recovers) makes it usable again.
 *
 * <p>Threads: one owner thread opens it, appends, prunes and closes; {@link #sync()} may be called
 * from any thread (a force thread); each {@link JournalReader} belongs to the thread that reads it.
 * Only one process may open a source's journal (a lock file says so).
 */
public final class SourceJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceJournal.class);

    /** Where the journal stands: the last entry, and the highest block sequence up to it. */
    record Mark(long position, long sequence, long timeMs) {
    }

    private final Path dir;
    private final JournalConfig config;
    private final FileChannel lockChannel;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final ForceSet forceSet;
    private final SpaceGuard space;
    private final Retention retention;
    private final Object syncLock = new Object();
    // Owner thread only.
    private final ByteBuffer head = ByteBuffer.allocate(HEADER_LENGTH + Math.max(BLOCK_FIXED_LENGTH,
            MARKER_FIXED_LENGTH + MAX_LABEL_BYTES)).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer crcBytes = ByteBuffer.allocate(CRC_LENGTH).order(ByteOrder.BIG_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long entryNumber;
    private long lastSequence;
    private int cycle = Integer.MIN_VALUE;
    private boolean closed;
    // Shared.
    private volatile Mark appended;
    private volatile Mark durable;
    private volatile IOException failure;

    private SourceJournal(Path dir, JournalConfig config, FileChannel lockChannel, SingleChronicleQueue queue,
                          TailScan scan) throws IOException {
        this.dir = dir;
        this.config = config;
        this.lockChannel = lockChannel;
        this.queue = queue;
        this.appender = queue.createAppender();
        this.forceSet = new ForceSet(dir);
        this.space = new SpaceGuard(dir, config.reserveBytes());
        this.retention = new Retention(dir, config, queue);
        JournalEntry last = scan.last();
        Mark start = last == null ? new Mark(-1, 0, 0) : new Mark(last.position(), scan.lastBlockSequence(), last.timeMs());
        this.entryNumber = last == null ? 0 : last.entryNumber();
        this.lastSequence = start.sequence();
        this.appended = start;
        this.durable = start;
    }

    /**
     * Opens (creating it if needed) the journal of {@code sourceId} under {@code config.dir()}, and
     * recovers it: see the class comment. Everything it holds afterwards is durable.
     */
    public static SourceJournal open(JournalConfig config, String sourceId) throws IOException {
        JournalJvm.requireFlags();
        if (sourceId.isEmpty() || sourceId.contains("/") || sourceId.equals(".") || sourceId.equals("..")) {
            throw new IllegalArgumentException("invalid source id for a journal directory: '" + sourceId + "'");
        }
        Path dir = config.dir().resolve(sourceId);
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(Queues.LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        SingleChronicleQueue queue = null;
        try {
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this process has it open already
            }
            if (lock == null) {
                throw new IOException("journal " + dir + " is in use by another process");
            }
            TailRepair.finishInterrupted(dir, config);
            int dropped = TailRepair.dropUninitialised(dir);
            if (dropped > 0) {
                log.warn("journal {}: deleted {} file(s) created by a crash before their first header was written",
                        dir, dropped);
            }
            queue = Queues.open(dir, config);
            TailScan scan = TailScan.of(queue, dir.toString());
            if (scan.cutIndex() != TailScan.NO_CUT) {
                log.warn("{}; cutting the journal at position 0x{} (what lies there and after is dropped; the source "
                        + "sends it again)", scan.damage(), Long.toHexString(scan.cutIndex()));
                queue.close();
                queue = null;
                TailRepair.cut(dir, config, scan.cutIndex());
                queue = Queues.open(dir, config);
                scan = TailScan.of(queue, dir.toString());
                if (scan.cutIndex() != TailScan.NO_CUT) {
                    throw new IOException("journal " + dir + " is still damaged after it was cut: " + scan.damage());
                }
            }
            SourceJournal journal = new SourceJournal(dir, config, lockChannel, queue, scan);
            journal.forceAll();
            return journal;
        } catch (IOException | RuntimeException e) {
            if (queue != null) {
                queue.close();
            }
            lockChannel.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * Appends a block as the source sent it: {@code payload} (position to limit) is encoded as
     * {@code encoding} says and decodes to {@code lengthBytes} bytes whose CRC32C is {@code plainCrc32c}.
     * Returns its position. Not durable before the next {@link #sync()}.
     *
     * @throws JournalFullException when the file system is too full (nothing was written)
     */
    public long appendBlock(int volume, Encoding encoding, long sequence, long offset, int lengthBytes, int plainCrc32c,
                            ByteBuffer payload) throws IOException {
        checkUsable();
        if (sequence <= lastSequence) {
            throw new IllegalArgumentException(String.format("journal %s: block sequence %d does not follow %d", dir,
                    sequence, lastSequence));
        }
        int payloadLength = payload.remaining();
        if (payloadLength > MAX_PAYLOAD_BYTES || lengthBytes < 1 || lengthBytes > 1 << 20 || volume < 0
                || volume > 0xffff) {
            throw new IllegalArgumentException(String.format("journal %s: invalid block: volume %d, length %d, payload "
                    + "%d bytes (expected: volume 0-65535, length 1-1048576, payload at most %d)", dir, volume,
                    lengthBytes, payloadLength, MAX_PAYLOAD_BYTES));
        }
        head.clear();
        putHeader(head, TYPE_BLOCK, entryNumber + 1, config.clockMs().getAsLong(), BLOCK_FIXED_LENGTH + payloadLength);
        putBlockFixed(head, volume, encoding.code(), sequence, offset, lengthBytes, plainCrc32c, payloadLength);
        long position = write(payload);
        lastSequence = sequence;
        appended = new Mark(position, sequence, head.getLong(TIME_OFFSET));
        return position;
    }

    /**
     * Appends a barrier or checkpoint marker: {@code sequence} is the last block sequence sent before
     * it, {@code label} at most {@link io.replicator.target.journal.internal.EntryFormat#MAX_LABEL_BYTES}
     * bytes of UTF-8. Returns its position. Not durable before the next {@link #sync()}.
     */
    public long appendMarker(MarkerKind kind, long id, long sequence, String label) throws IOException {
        checkUsable();
        byte[] labelBytes = labelBytes(label);
        if (sequence < lastSequence) {
            throw new IllegalArgumentException(String.format("journal %s: marker after sequence %d, but %d was "
                    + "appended", dir, sequence, lastSequence));
        }
        head.clear();
        putHeader(head, TYPE_MARKER, entryNumber + 1, config.clockMs().getAsLong(), MARKER_FIXED_LENGTH
                + labelBytes.length);
        putMarker(head, kind.code(), id, sequence, labelBytes);
        long position = write(ByteBuffer.allocate(0));
        lastSequence = sequence;
        appended = new Mark(position, sequence, head.getLong(TIME_OFFSET));
        return position;
    }

    private long write(ByteBuffer payload) throws IOException {
        head.flip();
        crc.reset();
        crc.update(head.duplicate());
        crc.update(payload.duplicate());
        crcBytes.clear();
        crcBytes.putInt((int) crc.getValue()).flip();
        space.take(head.remaining() + payload.remaining() + CRC_LENGTH);
        try {
            try (DocumentContext dc = appender.writingDocument()) {
                try {
                    Bytes<?> bytes = dc.wire().bytes();
                    bytes.writeSome(head);
                    bytes.writeSome(payload.duplicate());
                    bytes.writeSome(crcBytes);
                } catch (RuntimeException e) {
                    dc.rollbackOnClose();
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("journal " + dir + ": appending failed: " + e, e);
        }
        entryNumber++;
        if (appender.cycle() != cycle) {
            cycle = appender.cycle();
            forceSet.appendingTo(Queues.file(dir, cycle));
        }
        return appender.lastIndexAppended();
    }

    /**
     * Makes every entry appended before this call durable and returns the highest block sequence that
     * is durable now (a marker counts for its own sequence). Thread-safe; group commit.
     */
    public long sync() throws IOException {
        synchronized (syncLock) {
            checkNotFailed();
            // Everything appended until now is covered by this force; callers that waited for the lock
            // while another force ran find their appends covered already, or share this one.
            Mark target = appended;
            if (target.position() <= durable.position()) {
                return durable.sequence();
            }
            try {
                forceSet.force();
            } catch (IOException | RuntimeException e) {
                failure = new IOException(String.format("journal %s: forcing it to stable storage failed (%s); nothing "
                        + "after sequence %d is durable, reopen the journal to go on", dir, e, durable.sequence()), e);
                throw failure;
            }
            durable = target;
            return target.sequence();
        }
    }

    /** The highest block sequence known durable. */
    public long durableSequence() {
        return durable.sequence();
    }

    /** The position of the last durable entry, -1 when the journal holds none. */
    public long durablePosition() {
        return durable.position();
    }

    /** The position of the last entry appended, durable or not; -1 when none. */
    public long appendedPosition() {
        return appended.position();
    }

    /**
     * A reader of the durable entries at {@code fromPosition} and after (0: from the oldest kept).
     * It belongs to the thread that reads it.
     */
    public JournalReader reader(long fromPosition) {
        return new JournalReader(queue, dir.toString(), fromPosition, this::durablePosition);
    }

    /**
     * Deletes the oldest cycles that are older than the retention or beyond the size cap, oldest
     * first, never one holding a position at or after {@code firstUnappliedPosition} nor the cycle
     * being appended to. Owner thread.
     */
    public RetentionReport prune(long firstUnappliedPosition) throws IOException {
        checkUsable();
        RetentionReport report = retention.prune(firstUnappliedPosition, cycle, durable);
        if (report.cyclesPruned() > 0) {
            space.forget();
        }
        return report;
    }

    /** What the journal holds now, without pruning. Owner thread. */
    public RetentionReport retention() throws IOException {
        checkUsable();
        return retention.report(durable, 0, 0, false);
    }

    private void forceAll() throws IOException {
        var cycles = Queues.cycles(dir);
        for (Path file : cycles.values()) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                channel.force(false);
            }
        }
        DurableFiles.forceDirectory(dir);
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IllegalStateException("journal " + dir + " is closed");
        }
        checkNotFailed();
    }

    private void checkNotFailed() throws IOException {
        IOException failed = failure;
        if (failed != null) {
            throw new IOException(failed.getMessage(), failed);
        }
    }

    /** Closes the journal without a sync (what was not synced may or may not survive). Owner thread. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (syncLock) {
            try {
                forceSet.close();
            } finally {
                appender.close();
                queue.close();
                lockChannel.close();
            }
        }
    }
}
