package io.replicator.source;

/**
 * The answer to a cutover's first phase ({@code POST /cutover/prepare}): {@link PreparedCutover} when
 * every volume is verified and the file systems are held frozen, a failed {@link CutoverResult}
 * (everything thawed) otherwise.
 */
public sealed interface PrepareAnswer permits PreparedCutover, CutoverResult {
}
