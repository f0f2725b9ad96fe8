/**
 * The kernel tracker: which blocks of a Linux block device changed, learned from the kernel's own
 * block trace events instead of rereading the disk. A private tracefs instance
 * ({@link io.replicator.source.track.kernel.TraceInstance}) records {@code block_rq_complete}
 * (request-based disks: loop, SCSI, NVMe) and {@code block_bio_complete} (bio-based ones:
 * device-mapper) of the tracked disks, filtered in the kernel to writes, discards and
 * write-zeroes; one reader thread per CPU of {@link io.replicator.source.track.kernel.KernelTracker}
 * reads that CPU's {@code trace_pipe_raw}, the ring buffer's binary pages
 * ({@link io.replicator.source.track.kernel.TracePage}, laid out as
 * {@link io.replicator.source.track.kernel.TraceFormat} reads from tracefs), and marks the blocks
 * in each volume's {@link io.replicator.source.track.DirtyMap}.
 *
 * <p>Rules the sync agent relies on:
 * <ul>
 * <li>Only completions are trusted: a block is marked after the kernel finished writing it, never
 * when the write was merely queued, so the data read after seeing the mark is the new data.</li>
 * <li>The agent clears a block's bit <em>before</em> reading the block. A write that completes
 * after the read marks it again, so it is sent again; nothing completes unseen in between.</li>
 * <li>At cutover, after freezing the file systems, the agent calls
 * {@link io.replicator.source.track.kernel.KernelTracker#sync()}: it writes a marker on every
 * online CPU from a thread pinned there, and each CPU's buffer keeps its events in the order they
 * were recorded, so once every reader has passed its CPU's marker, every event of a write that
 * completed before the call is in the maps.</li>
 * <li>If the kernel drops events (ring buffer overrun, or a page flagged as following lost
 * events), a page does not parse, or a reader stops, the
 * {@link io.replicator.source.track.kernel.LossListener} is told; nothing is known to be clean
 * after that. Writes before {@code start} and while no tracker ran are never seen either: an
 * unclean stop means every block is suspect.</li>
 * <li>Not seen: I/O that bypasses the block layer's accounting (SCSI/NVMe passthrough commands
 * carry no sector range).</li>
 * </ul>
 */
package io.replicator.source.track.kernel;
