package io.replicator.source;

import java.util.List;
import java.util.Locale;

/**
 * The answer to {@code ./replicator cutover}: {@code result} is {@code ok} only when every volume
 * is durable on the target and verified equal to the source. {@code downtimeMs} runs from the
 * start of the freeze (or of the drain, without {@code --freeze}) to the verified
 * acknowledgement; {@code finalSyncBytes} is the payload sent in that window. On failure
 * {@code reason} says what happened and what to do. {@code fileSystems} says what became of the
 * file systems named by {@code --freeze}: {@code none} (none named), {@code not_frozen} (refused
 * or failed before any was frozen), {@code thawed}, or {@code still_frozen} with the mount points
 * in {@code stillFrozen} (thaw them with {@code fsfreeze --unfreeze MOUNTPOINT}), or {@code frozen}
 * (a verified cutover kept them frozen). {@code fenced}: the receiver sealed the source's volumes
 * with the report {@code reportId}; {@code phase} names the step a failed cutover stopped in (null
 * when it did not fail). {@code verification}: {@code incremental} (only the chunks written since
 * they were compared before the freeze were hashed while frozen) or {@code full (why)}; null when
 * refused before it was decided.
 */
public record CutoverResult(Outcome result, String reason, long downtimeMs, long finalSyncBytes, boolean verified,
                            long drainMs, long barrierMs, long verifyMs, List<Volume> volumes, FileSystems fileSystems,
                            List<String> stillFrozen, boolean fenced, String reportId, String phase,
                            String verification)
        implements PrepareAnswer {
    /** What became of the file systems named by {@code --freeze}; the admin endpoint writes {@link #toString()}. */
    public enum FileSystems {
        NONE,
        NOT_FROZEN,
        THAWED,
        STILL_FROZEN,
        /** A verified cutover keeps them frozen until {@code POST /thaw} or its deadline. */
        FROZEN;

        /** The value in the admin endpoint's JSON: the name in lower case. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public record Volume(String name, long sizeBytes, String checksumSource, String checksumTarget) {
    }

    /** A cutover refused before anything was frozen. */
    public static CutoverResult refused(String reason, boolean freezeAsked) {
        return new CutoverResult(Outcome.FAILED, reason, 0, 0, false, 0, 0, 0, List.of(),
                freezeAsked ? FileSystems.NOT_FROZEN : FileSystems.NONE, List.of(), false, null, "probe", null);
    }

    public boolean ok() {
        return result == Outcome.OK;
    }
}
