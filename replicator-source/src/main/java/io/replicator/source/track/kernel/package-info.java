/**
 * The kernel tracker: which blocks of a Linux block device changed, learned from the kernel's own
 * block trace events instead of rereading the disk. A private tracefs instance
 * ({@link io.replicator.source.track.kernel.TraceInstance}) records {@code block_rq_complete}
 * (request-based disks: loop, SCSI, NVMe) and {@code block_bio_complete} (bio-based ones:
 * device-mapper) of the tracked disks, filtered in the kernel to writes, discards and
 * write-zeroes; the reader thread of {@link io.replicator.source.track.kernel.KernelTracker}
 * parses {@code trace_pipe} ({@link io.replicator.source.track.kernel.BlockEventParser}) and marks
 * the blocks in each volume's {@link io.replicator.source.track.DirtyMap}.
 *
 * <p>Rules the sync agent relies on:
 * <ul>
 * <li>Only completions are trusted: a block is marked after the kernel finished writing it, never
 * when the write was merely queued, so the data read after seeing the mark is the new data.</li>
 * <li>The agent clears a block's bit <em>before</em> reading the block. A write that completes
 * after the read marks it again, so it is sent again; nothing completes unseen in between.</li>
 * <li>At cutover, after freezing the file systems, the agent calls
 * {@link io.replicator.source.track.kernel.KernelTracker#sync()}: its marker is read after every
 * event of a write that completed before the call (the instance uses a clock shared by all CPUs and
 * {@code trace_pipe} merges the CPUs in time order), so the maps are then complete.</li>
 * <li>If the kernel drops events (ring buffer overrun) or the reader stops, the
 * {@link io.replicator.source.track.kernel.LossListener} is told; nothing is known to be clean
 * after that. Writes before {@code start} and while no tracker ran are never seen either: an
 * unclean stop means every block is suspect.</li>
 * <li>Not seen: I/O that bypasses the block layer's accounting (SCSI/NVMe passthrough commands
 * carry no sector range).</li>
 * </ul>
 */
package io.replicator.source.track.kernel;
