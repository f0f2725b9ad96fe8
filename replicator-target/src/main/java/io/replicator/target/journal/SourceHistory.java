package io.replicator.target.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the receiver keeps of one source's past, for building a volume copy at a checkpoint: its
 * checkpoints, the pins that hold its undo history, the undo queue (a {@link SourceJournal} in
 * {@link #undoDir()}, opened read-only by readers through {@link #undoReader(long)}), and its
 * volumes. Thread-safe.
 */
public interface SourceHistory {
    String sourceId();

    CheckpointCatalog catalog();

    HistoryPins pins();

    /** {@code JOURNAL_DIR/ID/undo}. */
    Path undoDir();

    JournalConfig journalConfig();

    /** The source's volumes: name, index, live path, size, undo block size. */
    List<VolumeRef> volumes();

    /**
     * A reader of the undo queue's durable entries after {@code afterPosition} ({@code -1}: from the
     * oldest kept); it belongs to the calling thread.
     */
    JournalReader undoReader(long afterPosition) throws IOException;

    /** Waits until the volumes have applied and forced every redo entry up to the journal's end at the time of the call. */
    void awaitApplied(Duration timeout) throws IOException, InterruptedException;
}
