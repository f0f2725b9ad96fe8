package io.replicator.target.journal;

import java.util.List;
import java.util.Objects;

/**
 * One checkpoint as the receiver keeps it: the source's id for it, its UTC time in milliseconds, its
 * label, how long the source's file systems were frozen, the volumes it covers, the bytes the source
 * sent since the checkpoint before, and where its marker lies in the undo queue ({@code -1} until the
 * volumes have applied it). {@code reason} says why it is not launchable (empty otherwise). Immutable.
 */
public record CheckpointInfo(String sourceId, long checkpointId, long timeMs, String label, long freezeMs,
                             List<String> volumes, long bytesSincePrevious, long undoPosition, State state,
                             String reason) {
    /** Where a checkpoint stands. Names are on disk (the catalogue) and in admin answers. */
    public enum State {
        /** Its marker and every undo interval after it are kept: a launch can rebuild it. */
        LAUNCHABLE,
        /** Journaled, not yet applied to the volumes: launchable once the apply thread passes it. */
        PENDING,
        /** Its undo history was deleted by retention (or lost to a gap after it). */
        PRUNED,
        /** Never launchable: taken before the initial copy was complete, or in a gap of the history. */
        NOT_LAUNCHABLE
    }

    public CheckpointInfo {
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(state, "state");
        label = label == null ? "" : label;
        reason = reason == null ? "" : reason;
        volumes = List.copyOf(volumes);
    }

    /** The same checkpoint in {@code newState} for {@code newReason}. */
    public CheckpointInfo with(State newState, String newReason) {
        return new CheckpointInfo(sourceId, checkpointId, timeMs, label, freezeMs, volumes, bytesSincePrevious,
                undoPosition, newState, newReason);
    }

    /** The same checkpoint applied: its marker at {@code newUndoPosition} of the undo queue, launchable. */
    public CheckpointInfo applied(long newUndoPosition) {
        return new CheckpointInfo(sourceId, checkpointId, timeMs, label, freezeMs, volumes, bytesSincePrevious,
                newUndoPosition, State.LAUNCHABLE, "");
    }

    public boolean launchable() {
        return state == State.LAUNCHABLE;
    }
}
