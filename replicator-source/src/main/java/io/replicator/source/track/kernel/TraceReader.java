package io.replicator.source.track.kernel;

import io.replicator.source.track.kernel.KernelTracker.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of the reader thread: reads {@code trace_pipe} (a blocking read that returns whole
 * events), splits it into lines, marks each completed write or discard in the dirty map of the
 * volume it fell in, and hands markers and lost-event lines to its {@link Sink}. Returns when it
 * reads the stop marker. Not thread-safe: runs on the reader thread only.
 *
 * <p>A read returns as soon as one event is there, and a reader waiting in it is woken by the
 * writer of every event, from the completion path of the traced write: under a steady stream of
 * small writes that was one wake-up per write or two, paid by the workload as much as by us.
 * After a read of less than {@value #BATCH_BYTES} bytes the reader waits
 * {@value #BATCH_WAIT_NS} ns before reading again, not in the pipe: the next read takes what came
 * meanwhile, each event marked at most that much later (the ring buffer holds seconds of them).
 */
final class TraceReader {
    private static final Logger LOG = LoggerFactory.getLogger(TraceReader.class);
    static final String SYNC_MARKER = "replicator-sync ";
    static final String STOP_MARKER = "replicator-stop";
    static final int BUFFER_BYTES = 64 * 1024;
    static final int BATCH_BYTES = 4096;
    static final long BATCH_WAIT_NS = 5_000_000;
    private static final byte[] SYNC = SYNC_MARKER.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STOP = STOP_MARKER.getBytes(StandardCharsets.US_ASCII);

    /** Where markers and losses go; called on the reader thread. */
    interface Sink {
        void markerRead(long id);

        void lostLine(long count);
    }

    private final FileChannel pipe;
    private final List<Volume> volumes;
    private final Sink sink;
    private final BlockEventParser parser = new BlockEventParser();
    private final byte[] buf = new byte[BUFFER_BYTES];
    private volatile long eventsRead;
    private volatile long eventsMarked;

    TraceReader(FileChannel pipe, List<Volume> volumes, Sink sink) {
        this.pipe = pipe;
        this.volumes = volumes;
        this.sink = sink;
    }

    /** Reads until the stop marker; throws on a read error or when the pipe is closed under it. */
    void run() throws IOException {
        int fill = 0;
        while (true) {
            int n = pipe.read(ByteBuffer.wrap(buf, fill, buf.length - fill));
            if (n < 0) {
                throw new IOException("trace_pipe ended");
            }
            fill += n;
            int lineStart = 0;
            for (int i = fill - n; i < fill; i++) {
                if (buf[i] == '\n') {
                    if (handle(lineStart, i)) {
                        return;
                    }
                    lineStart = i + 1;
                }
            }
            if (lineStart == 0 && fill == buf.length) {
                LOG.warn("dropping {} bytes of trace_pipe without a line end", fill);
                fill = 0;
            } else {
                System.arraycopy(buf, lineStart, buf, 0, fill - lineStart);
                fill -= lineStart;
            }
            if (n < BATCH_BYTES) {
                LockSupport.parkNanos(BATCH_WAIT_NS);
            }
        }
    }

    /** Handles one line; returns true at the stop marker. */
    private boolean handle(int from, int to) {
        switch (parser.parse(buf, from, to)) {
            case COMPLETION -> {
                eventsRead++;
                if (parser.changesData() && parser.nrSectors() > 0) {
                    mark(parser.kernelDev(), parser.sector(), parser.nrSectors());
                }
            }
            case MARKER -> {
                if (parser.markerStartsWith(STOP)) {
                    return true;
                }
                if (parser.markerStartsWith(SYNC)) {
                    long id = parser.markerNumber(SYNC.length);
                    if (id >= 0) {
                        sink.markerRead(id);
                    }
                }
            }
            case LOST -> sink.lostLine(parser.lostCount());
            case OTHER -> LOG.debug("ignoring trace line: {}", new String(buf, from, to - from, StandardCharsets.ISO_8859_1));
        }
        return false;
    }

    /** Marks the part of {@code [sector, sector + nrSectors)} of the disk that falls in each volume on it. */
    private void mark(long kernelDev, long sector, long nrSectors) {
        for (Volume v : volumes) {
            BlockDeviceInfo d = v.device();
            if (d.kernelDev() != kernelDev) {
                continue;
            }
            long first = Math.max(sector - d.startSector(), 0);
            long end = Math.min(sector - d.startSector() + nrSectors, d.sizeSectors());
            if (first < end) {
                v.dirty().markBytes(first * BlockDeviceInfo.SECTOR_BYTES, (end - first) * BlockDeviceInfo.SECTOR_BYTES);
                eventsMarked++;
            }
        }
    }

    long eventsRead() {
        return eventsRead;
    }

    long eventsMarked() {
        return eventsMarked;
    }
}
