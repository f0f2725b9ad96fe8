/**
 * The receiver's journal: per source, a Chronicle Queue under {@code --journal-dir} of what the
 * source sent (blocks as received) and its barrier and checkpoint markers, each entry self-checking.
 * {@link io.replicator.target.journal.SourceJournal} is owned by one thread that opens, appends,
 * prunes and closes it; its {@code sync()} (group commit: force, then report the durable sequence)
 * may be called from a force thread; each {@link io.replicator.target.journal.JournalReader}
 * belongs to its reading thread. Opening repairs a tail cut short or garbled by a crash. The format
 * is in {@code internal.EntryFormat} and docs/journal.md; the design in
 * docs/design/008-receiver-journal.md. {@link io.replicator.target.journal.CheckpointCatalog} is a
 * source's durable list of checkpoints, {@link io.replicator.target.journal.HistoryPins} holds its
 * undo history against pruning, and {@link io.replicator.target.journal.SourceHistory} is what the
 * receiver gives the code that builds a volume at a checkpoint; all three are thread-safe.
 */
package io.replicator.target.journal;
