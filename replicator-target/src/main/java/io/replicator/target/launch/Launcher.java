package io.replicator.target.launch;

import io.replicator.target.internal.DurableFiles;
import io.replicator.target.journal.JournalReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the volumes of a source as they were at a checkpoint, while replication goes on:
 * <ol>
 * <li>pin the undo history from the checkpoint's marker (pruning keeps it until the undo read ends);
 * <li>index the undo queue from the marker to its end now ({@link UndoIndex}: for each block its first
 *     undo entry, which holds it at the checkpoint, by where it lies in the cycle files; no undo bytes
 *     are kept), its cycle files read ahead sequentially beside;
 * <li>reflink each live image into {@code NAME.img.partial} where the file system can and the undo to
 *     lay over the clone is small enough for that to pay ({@link VolumeCopy#worthCloning});
 * <li>one pass over each volume in chunks ({@link VolumeCopy#pass}): each chunk read once from the live
 *     volume, the undo's runs in it laid over it in memory, written once with its zero blocks left as
 *     holes; over a reflinked copy only the undo's runs are written;
 * <li>read the undo queue on to its end again, restoring blocks not restored yet: every block the
 *     fuzzy copy saw written after the checkpoint has its undo entry durable by then (an undo entry
 *     is durable before the volume write it protects);
 * <li>unpin, force each output, rename {@code NAME.img.partial} to {@code NAME.img}.
 * </ol>
 * A failure deletes the partial files; {@link PartialLedger} deletes those of a receiver killed
 * meanwhile when it starts again. Thread-safe: each launch runs on its caller's thread, with its own
 * state (and, during the copy, a thread reading ahead, see {@link ReadAhead}); launches writing the
 * same file are refused.
 */
public final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);
    static final Duration APPLY_TIMEOUT = Duration.ofMinutes(5);

    private final LaunchHistories histories;
    private final PartialLedger ledger;

    public Launcher(LaunchHistories histories, PartialLedger ledger) {
        this.histories = histories;
        this.ledger = ledger;
    }

    /** Runs {@code request}; see the class comment. */
    public LaunchResult launch(LaunchRequest request) throws LaunchException, IOException, InterruptedException {
        long startNs = System.nanoTime();
        LaunchHistory history = histories.history(request.sourceId()).orElseThrow(() -> new LaunchException(404,
                "the receiver keeps no history of source '" + request.sourceId() + "' (sources with history: "
                        + (histories.sourceIds().isEmpty() ? "none" : String.join(", ", histories.sourceIds())) + ")"));
        LaunchPoint point = Checkpoints.find(history, request.checkpoint());
        if (point.state() == LaunchPoint.State.PENDING) {
            history.awaitApplied(APPLY_TIMEOUT);
            point = Checkpoints.find(history, Long.toString(point.checkpointId()));
            if (point.state() != LaunchPoint.State.LAUNCHABLE) {
                throw new LaunchException(409, "checkpoint " + point.checkpointId() + " of " + history.sourceId()
                        + " is not applied to the volumes yet; try again");
            }
        }
        if (history.volumes().isEmpty()) {
            throw new LaunchException(409, "the receiver does not know the volumes of source " + history.sourceId()
                    + " yet (it has not connected since the receiver started); try again once it has");
        }
        List<VolumeOutput> outputs = LaunchTargets.plan(request, history.volumes(), histories);
        List<Path> partials = outputs.stream().filter(o -> !o.device()).map(VolumeOutput::writePath).toList();
        ledger.add(partials);
        boolean done = false;
        try {
            for (Path partial : partials) {
                Files.deleteIfExists(partial); // left by an earlier launch that did not finish
            }
            LaunchResult result = build(history, point, outputs, startNs);
            done = true;
            return result;
        } finally {
            closeAll(outputs);
            if (!done) {
                for (Path partial : partials) {
                    Files.deleteIfExists(partial);
                }
            }
            ledger.remove(partials);
        }
    }

    private LaunchResult build(LaunchHistory history, LaunchPoint wanted, List<VolumeOutput> outputs, long startNs)
            throws LaunchException, IOException, InterruptedException {
        Map<Integer, VolumeOutput> byIndex = new LinkedHashMap<>();
        outputs.forEach(o -> byIndex.put(o.volume().index(), o));
        Map<VolumeOutput, VolumeCopy.Method> methods = new LinkedHashMap<>();
        Map<VolumeOutput, Long> copyMs = new LinkedHashMap<>();
        String where = history.sourceId() + "/undo";
        UndoRestore undo = new UndoRestore(where, byIndex);
        UndoIndex index = new UndoIndex(where, byIndex);
        long undoNs;
        String phases;
        try (AutoCloseable pin = history.pin(wanted.undoPosition())) {
            LaunchPoint point = Checkpoints.check(history, pinned(history, wanted), history.checkpoints());
            long u0 = System.nanoTime();
            JournalReader reader = history.undoReader(point.undoPosition());
            try (reader; UndoLayer layer = new UndoLayer(history.undoDir(), where, index, undo)) {
                UndoPrefetch prefetch = UndoPrefetch.start(history.undoDir(), point.undoPosition());
                long reached;
                try (prefetch) {
                    reached = index.build(undo, reader, point.undoPosition(), history.undoDurablePosition());
                }
                long u1 = u0 + prefetch.elapsedNs();
                long warmed = prefetch.bytesRead();
                long u2 = System.nanoTime();
                undoNs = u2 - u0;
                long passNs = 0;
                for (VolumeOutput output : outputs) {
                    long t0 = System.nanoTime();
                    boolean cloned = !output.device() && VolumeCopy.worthCloning(output)
                            && VolumeCopy.reflink(output.volume().livePath(), output.writePath());
                    output.open(!cloned && !output.device());
                    methods.put(output, cloned ? VolumeCopy.Method.REFLINK : VolumeCopy.Method.SPARSE);
                    if (cloned) {
                        output.copied();
                    }
                    VolumeCopy.pass(output, layer, !cloned);
                    passNs += System.nanoTime() - t0;
                    copyMs.put(output, (System.nanoTime() - t0) / 1_000_000);
                }
                long u3 = System.nanoTime();
                undo.restore(reader, reached, history.undoDurablePosition());
                long u4 = System.nanoTime();
                undoNs += u4 - u3;
                phases = String.format("undo read ahead %d MiB in %d ms beside the index, indexed %d entries (%d runs)"
                        + " in %d ms; copy"
                        + " pass %d ms, undo laid in it %d ms beside; %d entries after the copy in %d ms", warmed >> 20,
                        (u1 - u0) / 1_000_000, index.entriesRead(), index.size(), (u2 - u0) / 1_000_000,
                        passNs / 1_000_000, layer.layNs() / 1_000_000, undo.entriesRead(), (u4 - u3) / 1_000_000);
            }
        } catch (LaunchException | IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("releasing the pin on the history of " + history.sourceId() + " failed: " + e, e);
        }
        List<LaunchResult.Volume> volumes = new ArrayList<>();
        long undoMs = undoNs / 1_000_000;
        long forceMs = 0;
        for (VolumeOutput output : outputs) {
            long f0 = System.nanoTime();
            output.force();
            output.close();
            if (!output.device()) {
                Files.move(output.writePath(), output.finalPath(), StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.forceDirectory(output.finalPath().getParent());
            }
            long volumeForceMs = (System.nanoTime() - f0) / 1_000_000;
            forceMs += volumeForceMs;
            volumes.add(new LaunchResult.Volume(output.volume().name(), output.finalPath().toString(),
                    output.volume().sizeBytes(), methods.get(output).name().toLowerCase(Locale.ROOT),
                    copyMs.get(output), output.restoredBytes(), copyMs.get(output) + undoMs + volumeForceMs));
        }
        long totalMs = (System.nanoTime() - startNs) / 1_000_000;
        phases += "; force " + forceMs + " ms";
        log.info("launched checkpoint {} of {} in {} ms ({}): {}", wanted.checkpointId(), history.sourceId(), totalMs,
                phases, volumes);
        return new LaunchResult("ok", history.sourceId(), wanted.checkpointId(),
                java.time.Instant.ofEpochMilli(wanted.timeMs()).toString(), wanted.label(), totalMs, undoMs,
                index.entriesRead() + undo.entriesRead(), index.payloadBytes() + undo.payloadBytesRead(), volumes,
                phases);
    }

    /** The checkpoint as the history has it now that it is pinned (pruning may have taken it meanwhile). */
    private static LaunchPoint pinned(LaunchHistory history, LaunchPoint wanted) throws IOException, LaunchException {
        for (LaunchPoint point : history.checkpoints()) {
            if (point.checkpointId() == wanted.checkpointId()) {
                return point;
            }
        }
        throw new LaunchException(409, "checkpoint " + wanted.checkpointId() + " of " + history.sourceId()
                + " was pruned while the launch started (" + Checkpoints.kept(history.checkpoints()) + ")");
    }

    private static void closeAll(List<VolumeOutput> outputs) {
        for (VolumeOutput output : outputs) {
            try {
                output.close();
            } catch (IOException e) {
                log.warn("closing {} failed: {}", output.writePath(), e.toString());
            }
        }
    }
}
