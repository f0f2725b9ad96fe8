package io.replicator.source.checkpoint;

import java.util.List;

/**
 * How one checkpoint ended, as {@code POST /checkpoint} answers it: {@code result} {@code ok} (the
 * receiver journaled it), {@code failed} (something went wrong after it started: everything was thawed
 * at once and no checkpoint is recorded) or {@code refused} (it did not start: another operation ran,
 * the receiver keeps no history, the backlog was too large, the pre-freeze hook failed; nothing was
 * frozen). {@code id} is the source's checkpoint number (0 when none was taken), {@code time} when the
 * file systems were frozen (UTC, ISO-8601; null when they never were), {@code freezeMs} how long they
 * stayed frozen, {@code captureBytes} the bytes read while frozen and sent behind the thaw, {@code
 * sequence} the last block frame the checkpoint covers, {@code launchable} whether the receiver can
 * launch a copy at it ({@code reason} says why not), {@code postThaw} why the post-thaw hook failed
 * (null: it succeeded or there is none). Immutable.
 */
public record CheckpointResult(String result, String reason, long id, String time, String label, long freezeMs,
                               long captureBytes, long sequence, List<String> volumes, boolean launchable,
                               String postThaw) {
    public static final String OK = "ok";
    public static final String FAILED = "failed";
    public static final String REFUSED = "refused";

    /** Did not start: nothing was frozen. */
    public static CheckpointResult refused(String reason) {
        return new CheckpointResult(REFUSED, reason, 0, null, null, 0, 0, 0, List.of(), false, null);
    }

    /** Started and failed after {@code freezeMs} frozen (0: never frozen); no checkpoint is recorded. */
    public static CheckpointResult failed(String reason, long id, String time, String label, long freezeMs) {
        return new CheckpointResult(FAILED, reason, id, time, label, freezeMs, 0, 0, List.of(), false, null);
    }

    public boolean ok() {
        return OK.equals(result);
    }

    /** This result with the post-thaw hook's failure (null: none). */
    public CheckpointResult withPostThaw(String failure) {
        return new CheckpointResult(result, reason, id, time, label, freezeMs, captureBytes, sequence, volumes,
                launchable, failure);
    }
}
