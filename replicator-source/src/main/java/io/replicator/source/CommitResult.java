package io.replicator.source;

import java.util.List;

/**
 * The answer to the commit of a held cutover ({@code POST /cutover/commit}), or to its abort
 * ({@code POST /cutover/abort}, {@code result} {@code aborted}), or to a thaw ({@code POST /thaw}).
 * {@code fenced}: the receiver sealed the source's volumes. {@code freezeMs} runs from the freeze to
 * the thaw, or to the seal when they stay frozen; {@code thawedUtc} is null while they are frozen (or
 * none were). {@code fileSystems}: {@code thawed}, {@code frozen} (kept frozen), {@code none},
 * {@code not_frozen} or {@code still_frozen} with the mount points in {@code stillFrozen}. Immutable.
 */
public record CommitResult(String result, String reason, boolean fenced, String reportId, long freezeMs,
                           String thawedUtc, CutoverResult.FileSystems fileSystems, List<String> stillFrozen) {
    public static final String OK = "ok";
    public static final String FAILED = "failed";
    public static final String ABORTED = "aborted";
    public static final String THAWED = "thawed";

    public boolean ok() {
        return OK.equals(result) || ABORTED.equals(result) || THAWED.equals(result);
    }

    /** A commit, abort or thaw refused before it changed anything. */
    public static CommitResult refused(String reason) {
        return new CommitResult(FAILED, reason, false, null, 0, null, CutoverResult.FileSystems.NONE, List.of());
    }
}
