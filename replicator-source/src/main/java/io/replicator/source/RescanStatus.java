package io.replicator.source;

/**
 * The rescan in progress, or the last one, as {@link SourceStatus} reports it: why every block is
 * compared again (lost kernel events, an unclean stop, a damaged state file, writes while the
 * daemon was down), whether it is still running and how far it got. Immutable.
 */
public record RescanStatus(String reason, boolean running, long doneBytes, long totalBytes) {
}
