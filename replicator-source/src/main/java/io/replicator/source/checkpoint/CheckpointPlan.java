package io.replicator.source.checkpoint;

import java.nio.file.Path;
import java.util.List;

/**
 * What one checkpoint is asked to do: freeze {@code freeze} (maybe none: then the point is only as
 * consistent as the applications are quiet), name it {@code label} (empty for none), be done within
 * {@code timeoutMs}, hold the freeze at most {@code maxFreezeMs} (the guard thaws then whatever the
 * daemon does), capture at most {@code maxCaptureBytes} while frozen, run {@code preFreeze} before and
 * {@code postThaw} after the freeze (each may be null), and number it from {@code ids}. Immutable.
 */
public record CheckpointPlan(List<Path> freeze, String label, long timeoutMs, long maxFreezeMs, long maxCaptureBytes,
                             Hook preFreeze, Hook postThaw, CheckpointIds ids) {
    /** The default bound on what a checkpoint reads into memory while frozen. */
    public static final long DEFAULT_MAX_CAPTURE_BYTES = 256L << 20;
    /** The default bound on how long a checkpoint holds its freeze. */
    public static final long DEFAULT_MAX_FREEZE_MS = 30_000;
    /** The default bound on a whole checkpoint: catch-up, freeze, send, the receiver's answer. */
    public static final long DEFAULT_TIMEOUT_MS = 600_000;

    public CheckpointPlan {
        freeze = List.copyOf(freeze);
        label = label == null ? "" : label;
    }

    /** This plan freezing {@code mounts} instead. */
    public CheckpointPlan withFreeze(List<Path> mounts) {
        return new CheckpointPlan(mounts, label, timeoutMs, maxFreezeMs, maxCaptureBytes, preFreeze, postThaw, ids);
    }
}
