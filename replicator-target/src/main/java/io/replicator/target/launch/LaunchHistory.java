package io.replicator.target.launch;

import io.replicator.target.journal.JournalReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a launch needs of one source's history on the receiver: its checkpoints, a pin on its undo
 * queue, readers of that queue, its volumes, and a way to wait until the volumes have applied the
 * journal. Implementations are thread-safe; each {@link JournalReader} belongs to the thread that
 * reads it.
 */
public interface LaunchHistory {
    String sourceId();

    /** Every checkpoint kept or pruned, oldest first. */
    List<LaunchPoint> checkpoints() throws IOException;

    /**
     * Pins the undo queue from {@code fromUndoPosition} on: pruning deletes no cycle at or after it
     * until the pin is closed.
     */
    AutoCloseable pin(long fromUndoPosition) throws IOException;

    /** The undo queue's directory (its Chronicle Queue cycle files). */
    Path undoDir();

    /** A reader of the undo queue's durable entries after {@code afterPosition}. */
    JournalReader undoReader(long afterPosition) throws IOException;

    /** The position of the last durable entry of the undo queue; -1 when it holds none. */
    long undoDurablePosition();

    /** The source's volumes, in index order. */
    List<LaunchVolume> volumes();

    /** Waits until the volumes have applied and forced every redo entry appended before the call. */
    void awaitApplied(Duration timeout) throws IOException, InterruptedException;
}
