package io.replicator.target.launch;

import java.util.List;

/**
 * A checkpoint as a launch needs it: its id, UTC time and label, the volumes it covers, the position
 * of its marker in the undo queue ({@code -1} until the volumes have applied past it), whether it can
 * be launched and, when not, why. Immutable.
 */
public record LaunchPoint(long checkpointId, long timeMs, String label, List<String> volumes, long undoPosition,
                          State state, String reason) {
    /** Whether a checkpoint can be launched. */
    public enum State {
        /** Its undo marker and every undo interval after it are kept. */
        LAUNCHABLE,
        /** Recorded, but the volumes have not applied past it yet: a launch waits for them. */
        PENDING,
        /** Its history was pruned (retention, size cap, or a gap in the history after it). */
        PRUNED,
        /** Never launchable (before the initial copy was complete, say); {@code reason} says why. */
        NOT_LAUNCHABLE
    }
}
