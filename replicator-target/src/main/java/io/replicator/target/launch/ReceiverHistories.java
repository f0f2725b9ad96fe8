package io.replicator.target.launch;

import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import io.replicator.target.TargetStatus;
import io.replicator.target.journal.CheckpointInfo;
import io.replicator.target.journal.JournalReader;
import io.replicator.target.journal.SourceHistory;
import io.replicator.target.journal.VolumeRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The receiver's histories ({@link SourceHistory}: catalogue, pins, undo queue, volumes) as launches
 * see them. Thread-safe as the histories are.
 */
public final class ReceiverHistories implements LaunchHistories {
    /** Looks a source's history up; empty when the receiver keeps none. */
    @FunctionalInterface
    public interface Lookup {
        Optional<? extends SourceHistory> find(String sourceId) throws IOException;
    }

    private final Lookup lookup;
    private final Supplier<List<String>> sourceIds;
    private final Supplier<List<Path>> receiverVolumes;
    private final List<Path> receiverDirs;

    /**
     * {@code receiverVolumes} gives every image and device the receiver writes now;
     * {@code receiverDirs} its data and journal directories.
     */
    public ReceiverHistories(Lookup lookup, Supplier<List<String>> sourceIds, Supplier<List<Path>> receiverVolumes,
                             List<Path> receiverDirs) {
        this.lookup = lookup;
        this.sourceIds = sourceIds;
        this.receiverVolumes = receiverVolumes;
        this.receiverDirs = List.copyOf(receiverDirs);
    }

    /** The histories of {@code server}: its sources, the volumes it writes, its data and journal directories. */
    public static ReceiverHistories of(TargetServer server) {
        TargetConfig config = server.config();
        Supplier<List<String>> ids = () -> {
            try {
                return server.histories().all().stream().map(SourceHistory::sourceId).toList();
            } catch (IOException e) {
                return List.of();
            }
        };
        Supplier<List<Path>> volumes = () -> {
            List<Path> written = new ArrayList<>(config.maps().values());
            for (TargetStatus.SourceStatus source : server.status().sources()) {
                source.volumes().forEach(v -> written.add(Path.of(v.path())));
            }
            return written;
        };
        return new ReceiverHistories(server::history, ids, volumes, List.of(config.dataDir(), config.journalDir()));
    }

    @Override
    public Optional<LaunchHistory> history(String sourceId) {
        try {
            return lookup.find(sourceId).map(Adapted::new);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the history of source " + sourceId + ": " + e, e);
        }
    }

    @Override
    public List<String> sourceIds() {
        return sourceIds.get();
    }

    @Override
    public List<Path> receiverVolumes() {
        return receiverVolumes.get();
    }

    @Override
    public List<Path> receiverDirs() {
        return receiverDirs;
    }

    private record Adapted(SourceHistory history) implements LaunchHistory {
        @Override
        public String sourceId() {
            return history.sourceId();
        }

        @Override
        public List<LaunchPoint> checkpoints() {
            return history.catalog().list().stream().map(Adapted::point).toList();
        }

        private static LaunchPoint point(CheckpointInfo info) {
            return new LaunchPoint(info.checkpointId(), info.timeMs(), info.label(), info.volumes(),
                    info.undoPosition(), LaunchPoint.State.valueOf(info.state().name()), info.reason());
        }

        @Override
        public AutoCloseable pin(long fromUndoPosition) {
            return history.pins().pin(history.sourceId(), fromUndoPosition);
        }

        @Override
        public Path undoDir() {
            return history.undoDir();
        }

        @Override
        public JournalReader undoReader(long afterPosition) throws IOException {
            return history.undoReader(afterPosition);
        }

        /** The reader stops at the undo queue's durable end by itself: read until it has no more. */
        @Override
        public long undoDurablePosition() {
            return Long.MAX_VALUE;
        }

        @Override
        public List<LaunchVolume> volumes() {
            return history.volumes().stream().map(Adapted::volume).toList();
        }

        private static LaunchVolume volume(VolumeRef ref) {
            return new LaunchVolume(ref.name(), ref.index(), ref.path(), ref.sizeBytes(), ref.blockSizeBytes());
        }

        @Override
        public void awaitApplied(Duration timeout) throws IOException, InterruptedException {
            history.awaitApplied(timeout);
        }
    }
}
