package io.replicator.source;

import java.util.List;

/**
 * The answer to {@code ./replicator cutover}: {@code result} is {@code ok} only when every volume
 * is durable on the target and verified equal to the source. {@code downtimeMs} runs from the
 * start of the freeze (or of the drain, without {@code --freeze}) to the verified
 * acknowledgement; {@code finalSyncBytes} is the payload sent in that window. On failure
 * {@code reason} says what happened and what to do. {@code fileSystems} says what became of the
 * file systems named by {@code --freeze}: {@code none} (none named), {@code not_frozen} (refused
 * or failed before any was frozen), {@code thawed}, or {@code still_frozen} with the mount points
 * in {@code stillFrozen} (thaw them with {@code fsfreeze --unfreeze MOUNTPOINT}).
 */
public record CutoverResult(String result, String reason, long downtimeMs, long finalSyncBytes, boolean verified,
                            long drainMs, long barrierMs, long verifyMs, List<Volume> volumes, String fileSystems,
                            List<String> stillFrozen) {
    public static final String FS_NONE = "none";
    public static final String FS_NOT_FROZEN = "not_frozen";
    public static final String FS_THAWED = "thawed";
    public static final String FS_STILL_FROZEN = "still_frozen";

    public record Volume(String name, long sizeBytes, String checksumSource, String checksumTarget) {
    }

    /** A cutover refused before anything was frozen. */
    public static CutoverResult refused(String reason, boolean freezeAsked) {
        return new CutoverResult("failed", reason, 0, 0, false, 0, 0, 0, List.of(),
                freezeAsked ? FS_NOT_FROZEN : FS_NONE, List.of());
    }

    public boolean ok() {
        return "ok".equals(result);
    }
}
