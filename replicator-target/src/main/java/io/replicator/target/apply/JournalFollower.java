package io.replicator.target.apply;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.replicator.protocol.block.BlockDecoder;
import io.replicator.protocol.block.BlockEncoder;
import io.replicator.protocol.guard.PeerText;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.TargetMetrics;
import io.replicator.target.journal.CheckpointInfo;
import io.replicator.target.journal.JournalEntry;
import io.replicator.target.journal.JournalFullException;
import io.replicator.target.journal.JournalReader;
import io.replicator.target.journal.MarkerKind;
import io.replicator.target.journal.SourceJournal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that makes one source's volumes follow its redo journal: it reads the journal's durable
 * entries in order and writes each block onto its volume; before the first write to a block after a
 * checkpoint it copies the block's old contents into the undo queue, which it forces before the volume
 * write (write-ahead). It forces the volumes and records the position applied ({@link AppliedFile}) at
 * least every {@link #FORCE_INTERVAL_NS}, and prunes the undo queue by the retention. At a checkpoint
 * marker it forces what came before, appends the marker to the undo queue, starts a new interval and
 * makes the checkpoint launchable. When undo cannot be kept (its disk is full even after pruning) it
 * goes on without undo until the next checkpoint, and every earlier checkpoint becomes pruned (a gap).
 *
 * <p>Threads: its own thread owns the undo queue, the first-write bitmaps and the volume writes while
 * it runs; {@link #awaitApplied}, {@link #wake} and {@link #stop} may be called from any thread.
 */
final class JournalFollower implements Runnable {
    /** The volumes are forced and the position recorded at least this often while there is work. */
    static final long FORCE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Retention runs at most this often. */
    static final long PRUNE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** Plain bytes of blocks read before their undo is forced and they are written. */
    static final long BATCH_BYTES = 8L << 20;
    private static final Logger log = LoggerFactory.getLogger(JournalFollower.class);

    private final SourceHistories.History history;
    private final SourceJournal redo;
    private final List<TargetVolume> volumes;
    private final AppliedFile appliedFile;
    private final WriteTurns turns;
    private final WriteTurns.Turn turn = new WriteTurns.Turn();
    private final TargetMetrics metrics;
    private final BlockDecoder decoder = new BlockDecoder();
    private final BlockEncoder encoder = new BlockEncoder();
    private final BitSet[] firstWrites;
    private final List<JournalEntry.Block> batch = new ArrayList<>();
    /**
     * A decoded block and a block's old contents, each up to a run: allocated when first needed, so that a
     * receiver with many sources holds direct memory only for those whose changes it applies.
     */
    private ByteBuffer plain;
    private ByteBuffer old;
    private SourceJournal undo;
    private long undoSequence;
    private AppliedFile.State state;
    private long batchBytes;
    private long lastForceNs = System.nanoTime();
    private long lastPruneNs;
    private long appliedUnforcedPosition = -1;
    private long appliedUnforcedSequence;
    private boolean gap;

    // Shared, guarded by this.
    private long forcedPosition;
    private long wantedPosition = -1;
    private boolean stopping;
    private boolean finished;
    private Exception failure;
    private Thread thread;

    JournalFollower(SourceHistories.History history, SourceJournal redo, List<TargetVolume> volumes,
                    AppliedFile appliedFile, AppliedFile.State state, WriteTurns turns, TargetMetrics metrics) {
        this.history = history;
        this.redo = redo;
        this.volumes = volumes;
        this.appliedFile = appliedFile;
        this.state = state;
        this.turns = turns;
        this.metrics = metrics;
        this.forcedPosition = state.appliedPosition();
        this.appliedUnforcedPosition = state.appliedPosition();
        this.appliedUnforcedSequence = state.appliedSequence();
        this.firstWrites = new BitSet[volumes.size()];
        for (int i = 0; i < firstWrites.length; i++) {
            firstWrites[i] = new BitSet();
        }
    }

    void start() {
        thread = new Thread(this, "replicator-journal-apply-" + PeerText.escape(history.sourceId()));
        thread.setDaemon(true);
        thread.start();
    }

    /** The redo journal has more durable entries. Any thread. */
    synchronized void wake() {
        notifyAll();
    }

    /** The redo position the volumes have applied and forced. */
    synchronized long forcedPosition() {
        return forcedPosition;
    }

    /** Whether undo is not being kept now (a gap in the history until the next checkpoint). */
    boolean inGap() {
        return gap;
    }

    /**
     * Waits until the volumes have applied and forced every redo entry up to {@code position};
     * false when {@code timeoutNs} passed first.
     *
     * @throws IOException when the follower failed or stopped before it got there
     */
    synchronized boolean awaitApplied(long position, long timeoutNs) throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + timeoutNs;
        wantedPosition = Math.max(wantedPosition, position);
        notifyAll();
        while (forcedPosition < position) {
            throwIfFailed();
            if (finished) {
                throw new IOException("the journal of source " + history.sourceId() + " is no longer being applied");
            }
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, leftNs);
        }
        return true;
    }

    synchronized void throwIfFailed() throws IOException {
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
    }

    /** Applies what is durable in the redo journal now, then ends; waits for it. */
    void stop() throws InterruptedException {
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
        if (thread != null) {
            thread.join();
        }
    }

    @Override
    public void run() {
        try {
            undo = SourceJournal.open(history.undoConfig(), SourceHistories.UNDO_DIR);
            history.undoOpened(undo);
            undoSequence = undo.durableSequence();
            rebuildInterval();
            try (JournalReader reader = redo.reader(state.appliedPosition())) {
                follow(reader);
            }
        } catch (IOException | RuntimeException e) {
            log.error("source {}: applying its journal to the volumes failed: {}", PeerText.escape(history.sourceId()),
                    e.toString());
            synchronized (this) {
                failure = e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            turns.rest(turn);
            history.undoOpened(null);
            if (undo != null) {
                try {
                    undo.close();
                } catch (IOException e) {
                    log.warn("source {}: closing its undo queue failed: {}", PeerText.escape(history.sourceId()),
                            e.toString());
                }
            }
            synchronized (this) {
                finished = true;
                notifyAll();
            }
        }
    }

    private void follow(JournalReader reader) throws IOException, InterruptedException {
        while (true) {
            JournalEntry entry = reader.next();
            if (entry == null) {
                flushBatch();
                if (appliedUnforcedPosition != forcedPosition()) {
                    force();
                }
                prune();
                synchronized (this) {
                    if (stopping && redo.durablePosition() <= forcedPosition) {
                        return;
                    }
                    turns.rest(turn);
                    wait(50);
                }
                continue;
            }
            if (entry instanceof JournalEntry.Block block) {
                takeUndo(block);
                batch.add(block);
                batchBytes += block.lengthBytes();
                if (batchBytes >= BATCH_BYTES) {
                    flushBatch();
                }
            } else if (entry instanceof JournalEntry.Marker marker) {
                flushBatch();
                if (marker.kind() == MarkerKind.CHECKPOINT) {
                    force();
                    checkpoint(marker);
                }
                appliedUnforcedPosition = marker.position();
            }
            if (System.nanoTime() - lastForceNs >= FORCE_INTERVAL_NS || reachedWanted(entry.position())) {
                flushBatch();
                force();
                prune();
            }
        }
    }

    /**
     * Whether someone waits for the volumes to hold everything up to a position and the entry at
     * {@code position} reaches it: forced now rather than at the next interval. Before it, the batches
     * go on as usual (forcing at every entry would make a waiter with a backlog wait longer).
     */
    private synchronized boolean reachedWanted(long position) {
        return wantedPosition > forcedPosition && position >= wantedPosition;
    }

    /** Copies the old contents of every block {@code block} writes first in this interval into the undo queue. */
    private void takeUndo(JournalEntry.Block block) throws IOException {
        if (state.intervalUndoPosition() < 0 || gap) {
            return;
        }
        TargetVolume volume = volumes.get(block.volume());
        int blockSize = volume.info().blockSizeBytes();
        BitSet written = firstWrites[block.volume()];
        long end = block.offset() + block.lengthBytes();
        int first = (int) (block.offset() / blockSize);
        int last = (int) ((end - 1) / blockSize);
        int runStart = -1;
        for (int b = first; b <= last + 1; b++) {
            boolean take = b <= last && !written.get(b);
            if (take && runStart < 0) {
                runStart = b;
            } else if (!take && runStart >= 0) {
                long from = (long) runStart * blockSize;
                long to = Math.min((long) b * blockSize, volume.info().sizeBytes());
                if (!appendUndo(volume, block.volume(), from, (int) (to - from))) {
                    return;
                }
                written.set(runStart, b);
                runStart = -1;
            }
        }
    }

    /** Appends the old contents of a range; false when undo cannot be kept (a gap begins). */
    private boolean appendUndo(TargetVolume volume, int index, long offset, int length) throws IOException {
        if (old == null) {
            old = ByteBuffer.allocateDirect(VolumeInfo.MAX_BLOCK_SIZE);
        }
        old.clear().limit(length);
        volume.readFully(old, offset);
        old.flip();
        BlockFrame frame = encoder.encode(index, undoSequence + 1, offset, old, ByteBufAllocator.DEFAULT);
        try {
            try {
                undo.appendBlock(index, frame.encoding(), frame.sequence(), offset, length, frame.crc32c(),
                        frame.payload().nioBuffer());
            } catch (JournalFullException full) {
                undo.prune(pruneLimit());
                try {
                    undo.appendBlock(index, frame.encoding(), frame.sequence(), offset, length, frame.crc32c(),
                            frame.payload().nioBuffer());
                } catch (JournalFullException stillFull) {
                    startGap(stillFull);
                    return false;
                }
            }
        } finally {
            frame.release();
        }
        undoSequence++;
        metrics.undoBytes(length);
        return true;
    }

    private void startGap(JournalFullException cause) throws IOException {
        gap = true;
        String reason = "history gap: undo could not be kept (" + cause.getMessage() + ")";
        int pruned = history.catalog().pruneAll(reason);
        log.warn("source {}: {}; the volumes go on without undo until the next checkpoint; {} earlier checkpoint(s) "
                + "are no longer launchable", PeerText.escape(history.sourceId()), reason, pruned);
        state = state.interval(-1, state.intervalCheckpointId());
    }

    /** Forces the undo appended for the batch, then writes the batch's blocks onto the volumes. */
    private void flushBatch() throws IOException, InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        if (undo.appendedPosition() > undo.durablePosition()) {
            undo.sync();
        }
        for (JournalEntry.Block block : batch) {
            write(block);
        }
        batch.clear();
        batchBytes = 0;
    }

    private void write(JournalEntry.Block block) throws IOException, InterruptedException {
        TargetVolume volume = volumes.get(block.volume());
        BlockFrame frame = new BlockFrame(block.volume(), block.encoding(), block.sequence(), block.offset(),
                block.lengthBytes(), block.plainCrc32c(), Unpooled.wrappedBuffer(block.payload()));
        try {
            if (plain == null) {
                plain = ByteBuffer.allocateDirect(VolumeInfo.MAX_BLOCK_SIZE);
            }
            ByteBuffer bytes = decoder.decode(frame, plain);
            if (block.encoding() != io.replicator.protocol.wire.Encoding.ZERO
                    || !volume.holdsZeros(block.offset(), block.lengthBytes())) {
                turns.take(turn, block.lengthBytes());
                volume.write(bytes, block.offset());
            }
        } finally {
            frame.release();
        }
        metrics.bytesWritten(block.lengthBytes());
        metrics.frameApplied();
        appliedUnforcedPosition = block.position();
        appliedUnforcedSequence = block.sequence();
    }

    /** Forces the volumes and records the position applied. */
    private void force() throws IOException {
        long[] bytes = new long[volumes.size()];
        for (int i = 0; i < volumes.size(); i++) {
            bytes[i] = volumes.get(i).progress().requestCommit();
        }
        for (TargetVolume volume : volumes) {
            long startNs = System.nanoTime();
            volume.force();
            metrics.fsync(System.nanoTime() - startNs);
        }
        state = state.applied(appliedUnforcedPosition, Math.max(state.appliedSequence(), appliedUnforcedSequence));
        appliedFile.write(state);
        for (int i = 0; i < bytes.length; i++) {
            volumes.get(i).progress().durable(bytes[i], state.appliedSequence());
        }
        lastForceNs = System.nanoTime();
        synchronized (this) {
            forcedPosition = state.appliedPosition();
            notifyAll();
        }
        history.applied(state.appliedPosition());
    }

    /**
     * A checkpoint marker, with everything before it applied and forced: its marker goes into the undo
     * queue (unless a crash came after it did), a new interval begins, and it becomes launchable.
     */
    private void checkpoint(JournalEntry.Marker marker) throws IOException {
        long undoPosition;
        if (marker.id() == state.intervalCheckpointId() && state.intervalUndoPosition() >= 0) {
            undoPosition = state.intervalUndoPosition(); // appended before a crash
        } else {
            try {
                undoPosition = undo.appendMarker(MarkerKind.CHECKPOINT, marker.id(), undoSequence, marker.label());
                undo.sync();
            } catch (JournalFullException full) {
                history.catalog().put(history.checkpointAt(marker).with(CheckpointInfo.State.NOT_LAUNCHABLE,
                        "history gap: its undo marker could not be kept (" + full.getMessage() + ")"));
                gap = true;
                state = state.interval(-1, marker.id());
                return;
            }
            state = state.interval(undoPosition, marker.id()).applied(marker.position(),
                    Math.max(state.appliedSequence(), marker.sequence()));
            appliedFile.write(state);
        }
        gap = false;
        for (BitSet written : firstWrites) {
            written.clear();
        }
        CheckpointInfo info = history.checkpointAt(marker);
        history.catalog().put(info.state() == CheckpointInfo.State.NOT_LAUNCHABLE ? info : info.applied(undoPosition));
        log.info("source {}: checkpoint {} applied, launchable (undo position 0x{})",
                PeerText.escape(history.sourceId()), marker.id(), Long.toHexString(undoPosition));
    }

    /** Reads the current interval's undo entries back into the first-write bitmaps (after a restart). */
    private void rebuildInterval() throws IOException {
        if (state.intervalUndoPosition() < 0) {
            return;
        }
        long entries = 0;
        try (JournalReader reader = undo.reader(state.intervalUndoPosition())) {
            for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
                if (entry instanceof JournalEntry.Block block && block.volume() < volumes.size()) {
                    int blockSize = volumes.get(block.volume()).info().blockSizeBytes();
                    firstWrites[block.volume()].set((int) (block.offset() / blockSize),
                            (int) ((block.offset() + block.lengthBytes() + blockSize - 1) / blockSize));
                    entries++;
                } else if (entry instanceof JournalEntry.Marker marker && marker.kind() == MarkerKind.CHECKPOINT) {
                    // Appended just before a crash, before anything of its interval was applied: the
                    // redo replay reaches this checkpoint next and adopts it.
                    state = state.interval(marker.position(), marker.id());
                    for (BitSet written : firstWrites) {
                        written.clear();
                    }
                    entries = 0;
                }
            }
        }
        log.info("source {}: undo interval of checkpoint {} resumed with {} entries", PeerText.escape(history.sourceId()),
                state.intervalCheckpointId(), entries);
    }

    private long pruneLimit() {
        return Math.min(history.pins().oldestPinned(history.sourceId()), undo.durablePosition());
    }

    /** Prunes the undo queue by the retention (pins respected); checkpoints whose marker went become pruned. */
    private void prune() throws IOException {
        if (System.nanoTime() - lastPruneNs < PRUNE_INTERVAL_NS) {
            return;
        }
        lastPruneNs = System.nanoTime();
        var report = undo.prune(pruneLimit());
        if (report.oldestPosition() >= 0) {
            history.catalog().pruneBefore(report.oldestPosition(), report.prunedForSize()
                    ? "pruned: the journal's size cap (--journal-max-bytes) or retention (--retain) removed its undo"
                    : "pruned: older than the retention (--retain)");
        }
        history.undoRetention(report, gap);
    }
}
