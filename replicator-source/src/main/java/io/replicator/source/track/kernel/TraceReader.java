package io.replicator.source.track.kernel;

import io.replicator.source.track.kernel.KernelTracker.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The loop of one CPU's reader thread: reads that CPU's {@code trace_pipe_raw} a page at a time
 * (binary events, no text formatting in the kernel), marks each completed write or discard in the
 * dirty map of the volume it fell in, and hands sync markers and losses to its {@link Sink}. Runs
 * until its channel is closed. Not thread-safe: runs on its reader thread only.
 *
 * <p>A read blocks until the CPU's buffer holds an event, and a reader waiting in it is woken by
 * the writer of every event, from the completion path of the traced write. After a page less
 * than half full (the reader caught up with the writer) it waits {@value #BATCH_WAIT_NS} ns
 * before reading again, not in the read: the next read takes what came meanwhile, each event
 * marked at most that much later (the ring buffer holds seconds of them).
 */
final class TraceReader implements TracePage.Handler {
    static final String SYNC_MARKER = "replicator-sync ";
    static final long BATCH_WAIT_NS = 5_000_000;
    /** Larger than any sub-buffer the kernel allows by default; a read returns at most one. */
    static final int READ_BYTES = 64 * 1024;

    /** Where markers and losses go; called on the reader thread. */
    interface Sink {
        /** This CPU's reader passed sync marker {@code id}, written on this CPU. */
        void markerRead(int cpu, long id);

        /** Events of this CPU may have been missed; {@code why} is one sentence. */
        void lost(int cpu, String why);
    }

    private final int cpu;
    private final FileChannel pipe;
    private final List<Volume> volumes;
    private final Sink sink;
    private final TraceFormat format;
    private final TracePage page;
    private final ByteBuffer buf = ByteBuffer.allocate(READ_BYTES);
    private volatile long eventsRead;
    private long completions;

    TraceReader(int cpu, FileChannel pipe, TraceFormat format, List<Volume> volumes, Sink sink) {
        this.cpu = cpu;
        this.pipe = pipe;
        this.format = format;
        this.page = new TracePage(format);
        this.volumes = volumes;
        this.sink = sink;
    }

    /** Reads until the channel is closed (then throws ClosedChannelException) or a read fails. */
    void run() throws IOException {
        while (true) {
            buf.clear();
            int n = pipe.read(buf);
            if (n <= 0) {
                LockSupport.parkNanos(BATCH_WAIT_NS);
                continue;
            }
            buf.flip();
            try {
                page.parse(buf, this);
            } catch (TracePage.MalformedPageException e) {
                sink.lost(cpu, "a trace page of CPU " + cpu + " does not parse: " + e.getMessage());
            }
            eventsRead = completions;
            if (page.dataBytes() < (n - format.dataOffset()) / 2) {
                LockSupport.parkNanos(BATCH_WAIT_NS);
            }
        }
    }

    @Override
    public void completion(long kernelDev, long sector, long nrSectors) {
        completions++;
        for (Volume v : volumes) {
            BlockDeviceInfo d = v.device();
            if (d.kernelDev() != kernelDev) {
                continue;
            }
            long first = Math.max(sector - d.startSector(), 0);
            long end = Math.min(sector - d.startSector() + nrSectors, d.sizeSectors());
            if (first < end) {
                v.dirty().markBytes(first * BlockDeviceInfo.SECTOR_BYTES, (end - first) * BlockDeviceInfo.SECTOR_BYTES);
            }
        }
    }

    @Override
    public void missedEvents() {
        sink.lost(cpu, "the kernel lost block events on CPU " + cpu + " (a trace page says so)");
    }

    @Override
    public void marker(String text) {
        if (!text.startsWith(SYNC_MARKER)) {
            return;
        }
        String[] words = text.substring(SYNC_MARKER.length()).split(" ");
        if (words.length == 2 && words[1].equals(Integer.toString(cpu))) {
            // Whoever waits on this marker may read the count next: it covers every event before it.
            eventsRead = completions;
            try {
                sink.markerRead(cpu, Long.parseLong(words[0]));
            } catch (NumberFormatException e) {
                // not ours
            }
        }
    }

    /** Completions of data-changing requests read so far, whether or not they fell in a volume. */
    long eventsRead() {
        return eventsRead;
    }
}
