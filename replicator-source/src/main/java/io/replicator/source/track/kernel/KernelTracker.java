package io.replicator.source.track.kernel;

import io.replicator.source.track.DirtyMap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks the dirty maps of some block devices from the kernel's block completion events. One
 * {@link TraceInstance}, one reader thread on its {@code trace_pipe} that marks every block a
 * completed write or discard covers, and one poller that watches the instance's lost-event
 * counters (every 250 ms and before each {@link #sync} completes) and reports a loss to the
 * {@link LossListener}. Thread-safe.
 */
public final class KernelTracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelTracker.class);
    private static final long LOSS_POLL_MS = 250;
    private static final String SYNC_MARK = "replicator-sync-";
    private static final String STOP_MARK = "replicator-stop";

    /** A device to track, the map to mark and the map's block size. */
    public record Volume(BlockDeviceInfo device, DirtyMap dirty, int blockSizeBytes) {
    }

    /** Told (on the tracker's threads) when events were lost: some writes may not be marked. */
    @FunctionalInterface
    public interface LossListener {
        void onLoss(String reason);
    }

    private final TraceInstance instance;
    private final Map<Long, List<Volume>> byDev = new HashMap<>();
    private final LossListener listener;
    private final Thread reader;
    private final ScheduledExecutorService poller;
    private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> syncs = new ConcurrentSkipListMap<>();
    private final AtomicLong nextSync = new AtomicLong();
    private final AtomicLong eventsRead = new AtomicLong();
    private long lostSeen;
    private volatile boolean stopping;
    private volatile Throwable failure;

    private KernelTracker(TraceInstance instance, List<Volume> volumes, LossListener listener) {
        this.instance = instance;
        this.listener = listener;
        for (Volume v : volumes) {
            byDev.computeIfAbsent(v.device().kernelDev(), d -> new ArrayList<>()).add(v);
        }
        this.reader = new Thread(this::read, "kernel-tracker-" + instance.dir().getFileName());
        this.reader.setDaemon(true);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kernel-tracker-loss-" + instance.dir().getFileName());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Creates the instance, enables the events and starts reading: every write that completes
     * after this returns is marked.
     */
    public static KernelTracker start(String name, List<Volume> volumes, int bufferSizeKb, LossListener listener)
            throws IOException {
        TraceInstance instance = TraceInstance.create(name, bufferSizeKb);
        try {
            KernelTracker tracker = new KernelTracker(instance, volumes, listener);
            instance.enableBlockEvents(volumes.stream().map(v -> v.device().kernelDev()).toList());
            tracker.lostSeen = instance.lostEvents();
            tracker.reader.start();
            tracker.poller.scheduleWithFixedDelay(tracker::checkLoss, LOSS_POLL_MS, LOSS_POLL_MS,
                    TimeUnit.MILLISECONDS);
            tracker.sync().get(30, TimeUnit.SECONDS);
            LOG.info("kernel tracker: instance {}, {} KiB per CPU, tracking {}", instance.dir(), bufferSizeKb,
                    volumes.stream().map(v -> v.device().path() + " (" + v.device().diskMajor() + ":"
                            + v.device().diskMinor() + (v.device().startSector() > 0 ? " from sector "
                            + v.device().startSector() : "") + ")").toList());
            return tracker;
        } catch (Exception e) {
            instance.close();
            throw e instanceof IOException io ? io : new IOException("the kernel tracker did not start: " + e, e);
        }
    }

    /** Completes once every event recorded before the call has been read and marked. */
    public CompletableFuture<Void> sync() {
        Throwable failed = failure;
        if (failed != null || stopping) {
            return CompletableFuture.failedFuture(failed != null ? failed : new IOException("the kernel tracker is stopped"));
        }
        long id = nextSync.incrementAndGet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        syncs.put(id, done);
        try {
            instance.mark(SYNC_MARK + id);
        } catch (IOException e) {
            syncs.remove(id);
            done.completeExceptionally(e);
        }
        return done;
    }

    public long eventsRead() {
        return eventsRead.get();
    }

    private void read() {
        BlockEvent e = new BlockEvent();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                Files.newInputStream(instance.tracePipe()), StandardCharsets.ISO_8859_1), 1 << 16)) {
            String line;
            while (!stopping && (line = in.readLine()) != null) {
                if (!e.parse(line)) {
                    continue;
                }
                if (e.marker != null) {
                    onMarker(e.marker);
                    continue;
                }
                eventsRead.incrementAndGet();
                List<Volume> vs = byDev.get(((long) e.major << 20) | e.minor);
                if (vs != null) {
                    for (Volume v : vs) {
                        long first = e.sector - v.device().startSector();
                        long last = Math.min(first + e.nrSectors, v.device().sizeSectors());
                        first = Math.max(first, 0);
                        if (last > first) {
                            v.dirty().markBytes(first << 9, (last - first) << 9, v.blockSizeBytes());
                        }
                    }
                }
            }
        } catch (Throwable t) {
            if (!stopping) {
                failure = t;
                LOG.error("kernel tracker: reading {} failed: {}", instance.tracePipe(), t.toString());
                listener.onLoss("the kernel tracker stopped reading block events (" + t.getMessage() + ")");
            }
        } finally {
            IOException stopped = new IOException("the kernel tracker is stopped");
            syncs.values().forEach(f -> f.completeExceptionally(failure != null ? failure : stopped));
            syncs.clear();
        }
    }

    private void onMarker(String marker) {
        if (!marker.startsWith(SYNC_MARK)) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(marker.substring(SYNC_MARK.length()));
        } catch (NumberFormatException ignored) {
            return;
        }
        checkLoss();
        Map<Long, CompletableFuture<Void>> done = syncs.headMap(id, true);
        done.values().forEach(f -> f.complete(null));
        done.clear();
    }

    /** Reports events lost since the last check; before a sync completes, so a rescan is requested first. */
    private synchronized void checkLoss() {
        if (stopping) {
            return;
        }
        try {
            long lost = instance.lostEvents();
            if (lost > lostSeen) {
                long n = lost - lostSeen;
                lostSeen = lost;
                listener.onLoss("the kernel dropped " + n + " block events (trace buffer overrun in "
                        + instance.dir().getFileName() + ")");
            }
        } catch (IOException | RuntimeException ex) {
            LOG.warn("kernel tracker: cannot read the lost-event counters: {}", ex.getMessage());
        }
    }

    /** Stops reading and removes the instance. */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        poller.shutdownNow();
        try {
            instance.mark(STOP_MARK);
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (IOException e) {
            LOG.warn("kernel tracker: cannot wake the reader: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            LOG.warn("kernel tracker: the reader of {} did not stop within 5 s", instance.tracePipe());
        }
        instance.close();
    }
}
