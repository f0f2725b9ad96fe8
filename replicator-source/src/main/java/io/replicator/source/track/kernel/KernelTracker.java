package io.replicator.source.track.kernel;

import io.replicator.source.track.DirtyMap;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks the blocks of one or more volumes in their {@link DirtyMap} as the kernel completes
 * writes and discards on them, from the block trace events of a private {@link TraceInstance}.
 * Writes that completed before {@link #start} are not seen: start from a map that already covers
 * them (all marked, or a saved map from a clean stop).
 *
 * <p>Threads: a daemon reader thread owns the trace pipe and is the only writer of the maps; a
 * daemon poller reads the loss counters every {@value #LOSS_POLL_INTERVAL_MS} ms. {@link #sync()},
 * the getters and {@link #close()} are thread-safe.
 */
public final class KernelTracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelTracker.class);
    public static final int DEFAULT_BUFFER_SIZE_KB = 4096;
    static final long LOSS_POLL_INTERVAL_MS = 250;
    private static final long JOIN_TIMEOUT_MS = 10_000;

    /** A volume to track: the device the events name, and the map its changed blocks go to. */
    public record Volume(BlockDeviceInfo device, DirtyMap dirty) {
        public Volume {
            long expected = (device.sizeBytes() + dirty.blockSizeBytes() - 1) / dirty.blockSizeBytes();
            if (dirty.blockCount() != expected) {
                throw new IllegalArgumentException("dirty map of " + device.name() + ": " + dirty.blockCount()
                        + " blocks (expected: " + expected + " blocks of " + dirty.blockSizeBytes() + " bytes for "
                        + device.sizeBytes() + " bytes)");
            }
        }
    }

    private final TraceInstance instance;
    private final FileChannel pipe;
    private final LossListener listener;
    private final TraceReader reader;
    private final Thread readerThread;
    private final ScheduledExecutorService poller;
    private final ConcurrentNavigableMap<Long, CompletableFuture<Void>> pendingSyncs = new ConcurrentSkipListMap<>();
    private final AtomicLong nextSyncId = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Throwable readerFailure;
    private long lostSeen;
    private volatile long lostEvents;

    private KernelTracker(String name, TraceInstance instance, FileChannel pipe, List<Volume> volumes,
            LossListener listener, long lostAtStart) {
        this.instance = instance;
        this.pipe = pipe;
        this.listener = listener;
        this.lostSeen = lostAtStart;
        this.reader = new TraceReader(pipe, List.copyOf(volumes), new TraceReader.Sink() {
            @Override
            public void markerRead(long id) {
                syncReached(id);
            }

            @Override
            public void lostLine(long count) {
                reportLoss("the kernel lost " + count + " block events on one CPU (trace_pipe said LOST)");
            }
        });
        this.readerThread = new Thread(this::readLoop, "kernel-tracker-" + name);
        this.readerThread.setDaemon(true);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kernel-tracker-" + name + "-loss");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts tracking: removes instances left by dead processes, creates {@code instanceName}'s
     * instance with {@code bufferSizeKb} per CPU, enables the events and starts the threads. Every
     * write that completes after this returns is marked (or reported lost to {@code listener}).
     */
    public static KernelTracker start(String instanceName, List<Volume> volumes, int bufferSizeKb, LossListener listener)
            throws IOException {
        if (volumes.isEmpty()) {
            throw new IllegalArgumentException("no volumes to track");
        }
        TraceFs fs = TraceFs.open();
        TraceInstance.removeStale(fs, TraceInstance.PREFIX);
        TraceInstance instance = TraceInstance.create(fs, instanceName, bufferSizeKb);
        FileChannel pipe = null;
        try {
            pipe = FileChannel.open(instance.tracePipe(), StandardOpenOption.READ);
            instance.enableBlockCompletions(volumes.stream().map(v -> v.device().kernelDev()).toList());
            KernelTracker tracker = new KernelTracker(instanceName, instance, pipe, volumes, listener, instance.lostEvents());
            tracker.readerThread.start();
            tracker.poller.scheduleWithFixedDelay(tracker::checkLoss, LOSS_POLL_INTERVAL_MS, LOSS_POLL_INTERVAL_MS,
                    TimeUnit.MILLISECONDS);
            LOG.info("kernel tracker {} follows {} through {}", instanceName,
                    volumes.stream().map(v -> v.device().name()).toList(), instance.dir());
            return tracker;
        } catch (IOException | RuntimeException e) {
            if (pipe != null) {
                pipe.close();
            }
            instance.remove();
            throw e;
        }
    }

    /**
     * Completes when the reader has read past a marker written now: every write that completed
     * before this call is then in the maps, and any loss up to it was reported to the listener
     * first. Fails if the tracker is closed or its reader stopped.
     */
    public CompletableFuture<Void> sync() {
        long id = nextSyncId.incrementAndGet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        pendingSyncs.put(id, done);
        if (closed.get() || readerFailure != null) {
            failPending(closed.get() ? new IllegalStateException("kernel tracker is closed") : readerFailure);
            return done;
        }
        try {
            instance.writeMarker(TraceReader.SYNC_MARKER + id);
        } catch (IOException e) {
            pendingSyncs.remove(id);
            done.completeExceptionally(e);
        }
        return done;
    }

    private void syncReached(long id) {
        checkLoss();
        Map<Long, CompletableFuture<Void>> reached = pendingSyncs.headMap(id, true);
        for (Long key : reached.keySet()) {
            CompletableFuture<Void> f = pendingSyncs.remove(key);
            if (f != null) {
                f.complete(null);
            }
        }
    }

    /** Compares the kernel's lost-event counters with the last look and reports any growth. */
    synchronized void checkLoss() {
        if (closed.get()) {
            return;
        }
        try {
            long lost = instance.lostEvents();
            if (lost > lostSeen) {
                long delta = lost - lostSeen;
                lostSeen = lost;
                lostEvents += delta;
                reportLoss("the kernel dropped " + delta + " block events (trace buffer overrun)");
            }
        } catch (IOException | RuntimeException e) {
            if (!closed.get()) {
                reportLoss("cannot read the trace buffer's lost-event counters: " + e);
            }
        }
    }

    private void reportLoss(String reason) {
        LOG.warn("kernel tracker: {}", reason);
        try {
            listener.onLoss(reason);
        } catch (RuntimeException e) {
            LOG.error("kernel tracker: the loss listener failed on '{}'", reason, e);
        }
    }

    private void readLoop() {
        try {
            reader.run();
            if (!closed.get()) {
                readerStopped(new IOException("someone else wrote the stop marker to " + instance.dir()));
            }
        } catch (ClosedChannelException e) {
            if (!closed.get()) {
                readerStopped(e);
            }
        } catch (Throwable t) {
            readerStopped(t);
            if (t instanceof Error error) {
                throw error;
            }
        }
    }

    private void readerStopped(Throwable t) {
        readerFailure = t;
        LOG.error("kernel tracker: the trace reader stopped", t);
        reportLoss("the trace reader stopped: " + t);
        failPending(t);
    }

    private void failPending(Throwable cause) {
        for (Long key : pendingSyncs.keySet()) {
            CompletableFuture<Void> f = pendingSyncs.remove(key);
            if (f != null) {
                f.completeExceptionally(cause);
            }
        }
    }

    /** Completion events read from the kernel, whether or not they fell in a volume. */
    public long eventsRead() {
        return reader.eventsRead();
    }

    /** Events the kernel reported lost since start. */
    public long lostEvents() {
        return lostEvents;
    }

    public TraceInstance instance() {
        return instance;
    }

    /** Stops the reader (a stop marker wakes it), removes the trace instance and fails syncs still waiting. */
    @Override
    public void close() throws IOException {
        if (closed.getAndSet(true)) {
            return;
        }
        poller.shutdown();
        try {
            instance.writeMarker(TraceReader.STOP_MARKER);
            readerThread.join(JOIN_TIMEOUT_MS);
        } catch (IOException e) {
            LOG.warn("kernel tracker: cannot write the stop marker ({}); closing the pipe under the reader", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            pipe.close();
            readerThread.join(JOIN_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failPending(new IllegalStateException("kernel tracker is closed"));
        instance.remove();
        LOG.info("kernel tracker stopped after {} events ({} lost); removed {}", eventsRead(), lostEvents, instance.dir());
    }
}
