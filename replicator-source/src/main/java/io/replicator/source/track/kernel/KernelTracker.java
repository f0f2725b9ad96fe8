package io.replicator.source.track.kernel;

import io.replicator.source.track.DirtyMap;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks the blocks of one or more volumes in their {@link DirtyMap} as the kernel completes
 * writes and discards on them, from the block trace events of a private {@link TraceInstance}.
 * Writes that completed before {@link #start} are not seen: start from a map that already covers
 * them (all marked, or a saved map from a clean stop).
 *
 * <p>Threads: one daemon reader per CPU owns that CPU's {@code trace_pipe_raw} and marks the maps
 * (they mark with compare-and-set); one daemon marker thread per online CPU, pinned to it, writes
 * the sync markers; a daemon poller reads the loss counters every {@value #LOSS_POLL_INTERVAL_MS}
 * ms. {@link #sync()}, the getters and {@link #close()} are thread-safe.
 *
 * <p>A sync is a marker written on every online CPU: each CPU's buffer is in the order its events
 * were recorded, so once each reader has passed its CPU's marker, every event recorded before the
 * markers were written is in the maps.
 */
public final class KernelTracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelTracker.class);
    public static final int DEFAULT_BUFFER_SIZE_KB = 4096;
    static final long LOSS_POLL_INTERVAL_MS = 250;
    private static final long JOIN_TIMEOUT_MS = 10_000;
    private static final long PIN_TIMEOUT_MS = 30_000;

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

    /** A sync waiting for the readers of {@code cpus} to pass marker {@code id}. */
    private record PendingSync(long id, BitSet cpus, CompletableFuture<Void> done) {
    }

    private final String name;
    private final TraceInstance instance;
    private final LossListener listener;
    private final Map<Integer, FileChannel> pipes;
    private final Map<Integer, TraceReader> readers = new TreeMap<>();
    private final List<Thread> readerThreads = new ArrayList<>();
    private final Map<Integer, ExecutorService> markers = new ConcurrentHashMap<>();
    private final AtomicLongArray seen;
    private final ScheduledExecutorService poller;
    private final ConcurrentNavigableMap<Long, PendingSync> pendingSyncs = new ConcurrentSkipListMap<>();
    private final AtomicLong nextSyncId = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Throwable readerFailure;
    private long lostSeen;
    private volatile long lostEvents;

    private KernelTracker(String name, TraceInstance instance, TraceFormat format, Map<Integer, FileChannel> pipes,
            List<Volume> volumes, LossListener listener, long lostAtStart) {
        this.name = name;
        this.instance = instance;
        this.pipes = pipes;
        this.listener = listener;
        this.lostSeen = lostAtStart;
        int maxCpu = pipes.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        this.seen = new AtomicLongArray(maxCpu + 1);
        TraceReader.Sink sink = new TraceReader.Sink() {
            @Override
            public void markerRead(int cpu, long id) {
                syncReached(cpu, id);
            }

            @Override
            public void lost(int cpu, String why) {
                reportLoss(why);
            }
        };
        List<Volume> tracked = List.copyOf(volumes);
        for (Map.Entry<Integer, FileChannel> e : pipes.entrySet()) {
            int cpu = e.getKey();
            TraceReader reader = new TraceReader(cpu, e.getValue(), format, tracked, sink);
            readers.put(cpu, reader);
            Thread t = new Thread(() -> readLoop(cpu, reader), "kernel-tracker-" + name + "-cpu" + cpu);
            t.setDaemon(true);
            readerThreads.add(t);
        }
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
        Map<Integer, FileChannel> pipes = new TreeMap<>();
        KernelTracker tracker = null;
        try {
            TraceFormat format = TraceFormat.read(instance.dir().resolve("events"));
            for (Map.Entry<Integer, Path> e : instance.rawPipes().entrySet()) {
                pipes.put(e.getKey(), FileChannel.open(e.getValue(), StandardOpenOption.READ));
            }
            instance.enableBlockCompletions(volumes.stream().map(v -> v.device().kernelDev()).toList());
            tracker = new KernelTracker(instanceName, instance, format, pipes, volumes, listener, instance.lostEvents());
            tracker.readerThreads.forEach(Thread::start);
            tracker.pinMarkers(Cpus.online());
            tracker.poller.scheduleWithFixedDelay(tracker::checkLoss, LOSS_POLL_INTERVAL_MS, LOSS_POLL_INTERVAL_MS,
                    TimeUnit.MILLISECONDS);
            LOG.info("kernel tracker {} follows {} through {} ({} CPUs)", instanceName,
                    volumes.stream().map(v -> v.device().name()).toList(), instance.dir(), pipes.size());
            return tracker;
        } catch (IOException | RuntimeException e) {
            if (tracker != null) {
                tracker.close();
            } else {
                for (FileChannel pipe : pipes.values()) {
                    pipe.close();
                }
                instance.remove();
            }
            throw e;
        }
    }

    /** Starts and pins the marker thread of each CPU in {@code cpus} that has none yet; fails when one cannot be pinned. */
    private void pinMarkers(BitSet cpus) throws IOException {
        List<Future<?>> pins = new ArrayList<>();
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            if (!pipes.containsKey(cpu)) {
                throw new IOException("CPU " + cpu + " is online but " + instance.dir() + "/per_cpu has no cpu" + cpu);
            }
            int c = cpu;
            pins.add(marker(cpu).submit(() -> {
                Cpus.pinCurrentThread(c);
                return null;
            }));
        }
        for (Future<?> pin : pins) {
            try {
                pin.get(PIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while pinning the marker threads", e);
            } catch (TimeoutException e) {
                throw new IOException("pinning the marker threads took over " + PIN_TIMEOUT_MS + " ms", e);
            }
        }
    }

    private ExecutorService marker(int cpu) {
        return markers.computeIfAbsent(cpu, c -> Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kernel-tracker-" + name + "-cpu" + c + "-marker");
            t.setDaemon(true);
            return t;
        }));
    }

    /**
     * Completes when every CPU's reader has read past a marker written on that CPU after this
     * call: every write that completed before the call is then in the maps, and any loss up to it
     * was reported to the listener first. Fails if the tracker is closed or a reader stopped.
     */
    public CompletableFuture<Void> sync() {
        long id = nextSyncId.incrementAndGet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        BitSet cpus;
        try {
            cpus = Cpus.online();
        } catch (IOException e) {
            done.completeExceptionally(new IOException("cannot read the online CPUs from " + Cpus.ONLINE + ": " + e, e));
            return done;
        }
        pendingSyncs.put(id, new PendingSync(id, cpus, done));
        if (closed.get() || readerFailure != null) {
            failPending(closed.get() ? new IllegalStateException("kernel tracker is closed") : readerFailure);
            return done;
        }
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            int c = cpu;
            try {
                marker(cpu).execute(() -> writeMarker(c, id, done));
            } catch (RejectedExecutionException e) {
                done.completeExceptionally(new IllegalStateException("kernel tracker is closed"));
            }
        }
        done.whenComplete((ignored, error) -> pendingSyncs.remove(id));
        return done;
    }

    /** On CPU {@code cpu}'s marker thread: pins it there again if it moved (CPU hotplug), then writes the marker. */
    private void writeMarker(int cpu, long id, CompletableFuture<Void> done) {
        if (done.isDone()) {
            return;
        }
        try {
            if (!pipes.containsKey(cpu)) {
                throw new IOException("CPU " + cpu + " came online but " + instance.dir() + "/per_cpu has no cpu" + cpu);
            }
            if (Cpus.current() != cpu) {
                Cpus.pinCurrentThread(cpu);
            }
            instance.writeMarker(TraceReader.SYNC_MARKER + id + " " + cpu);
        } catch (IOException | RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    private void syncReached(int cpu, long id) {
        long old;
        do {
            old = seen.get(cpu);
        } while (old < id && !seen.compareAndSet(cpu, old, id));
        checkLoss();
        for (PendingSync p : pendingSyncs.values()) {
            boolean all = true;
            for (int c = p.cpus().nextSetBit(0); c >= 0 && all; c = p.cpus().nextSetBit(c + 1)) {
                all = c < seen.length() && seen.get(c) >= p.id();
            }
            if (all) {
                p.done().complete(null);
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

    private void readLoop(int cpu, TraceReader reader) {
        try {
            reader.run();
        } catch (ClosedChannelException e) {
            if (!closed.get()) {
                readerStopped(cpu, e);
            }
        } catch (Throwable t) {
            readerStopped(cpu, t);
            if (t instanceof Error error) {
                throw error;
            }
        }
    }

    private void readerStopped(int cpu, Throwable t) {
        readerFailure = t;
        LOG.error("kernel tracker: the trace reader of CPU {} stopped", cpu, t);
        reportLoss("the trace reader of CPU " + cpu + " stopped: " + t);
        failPending(t);
    }

    private void failPending(Throwable cause) {
        for (Long key : pendingSyncs.keySet()) {
            PendingSync p = pendingSyncs.remove(key);
            if (p != null) {
                p.done().completeExceptionally(cause);
            }
        }
    }

    /** Completion events read from the kernel, whether or not they fell in a volume. */
    public long eventsRead() {
        return readers.values().stream().mapToLong(TraceReader::eventsRead).sum();
    }

    /** Events the kernel reported lost since start. */
    public long lostEvents() {
        return lostEvents;
    }

    public TraceInstance instance() {
        return instance;
    }

    /** Stops the readers (closing a channel wakes its reader), removes the trace instance and fails syncs still waiting. */
    @Override
    public void close() throws IOException {
        if (closed.getAndSet(true)) {
            return;
        }
        poller.shutdown();
        markers.values().forEach(ExecutorService::shutdownNow);
        for (FileChannel pipe : pipes.values()) {
            pipe.close();
        }
        try {
            for (Thread t : readerThreads) {
                t.join(JOIN_TIMEOUT_MS);
                if (t.isAlive()) {
                    LOG.warn("kernel tracker: {} did not stop in {} ms", t.getName(), JOIN_TIMEOUT_MS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failPending(new IllegalStateException("kernel tracker is closed"));
        instance.remove();
        LOG.info("kernel tracker stopped after {} events ({} lost); removed {}", eventsRead(), lostEvents, instance.dir());
    }
}
