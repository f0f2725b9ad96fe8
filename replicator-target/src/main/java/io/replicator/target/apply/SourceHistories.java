package io.replicator.target.apply;

import io.replicator.target.journal.CheckpointCatalog;
import io.replicator.target.journal.CheckpointInfo;
import io.replicator.target.journal.HistoryPins;
import io.replicator.target.journal.JournalConfig;
import io.replicator.target.journal.JournalEntry;
import io.replicator.target.journal.JournalReader;
import io.replicator.target.journal.RetentionReport;
import io.replicator.target.journal.SourceHistory;
import io.replicator.target.journal.SourceJournal;
import io.replicator.target.journal.VolumeRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The receiver's sources' histories, by source id: each source's checkpoint catalogue (kept open once
 * read), the pins on their undo queues, and, while a session of the source applies its journal, how
 * far it got. What {@code status}, the metrics, {@code GET /checkpoints} and launches read. Thread-safe.
 */
public final class SourceHistories {
    /** The undo queue's directory inside a source's journal directory. */
    public static final String UNDO_DIR = "undo";

    private final JournalConfig config;
    private final HistoryPins pins = new HistoryPins();
    private final Map<String, History> histories = new TreeMap<>();

    public SourceHistories(JournalConfig config) {
        this.config = config;
    }

    public JournalConfig config() {
        return config;
    }

    public HistoryPins pins() {
        return pins;
    }

    /** The history of {@code sourceId}, opening its catalogue if needed. */
    public synchronized History of(String sourceId) throws IOException {
        History history = histories.get(sourceId);
        if (history == null) {
            history = new History(sourceId, CheckpointCatalog.open(config.dir().resolve(sourceId), sourceId));
            histories.put(sourceId, history);
        }
        return history;
    }

    /** The history of {@code sourceId} if it has one on disk (a journal directory) or in memory. */
    public synchronized Optional<History> find(String sourceId) throws IOException {
        if (histories.containsKey(sourceId) || Files.isRegularFile(config.dir().resolve(sourceId)
                .resolve(CheckpointCatalog.FILE))) {
            return Optional.of(of(sourceId));
        }
        return Optional.empty();
    }

    /** Every source with a history on disk or in memory, by id. */
    public List<History> all() throws IOException {
        List<String> ids;
        if (Files.isDirectory(config.dir())) {
            try (Stream<Path> dirs = Files.list(config.dir())) {
                ids = dirs.filter(d -> Files.isRegularFile(d.resolve(CheckpointCatalog.FILE)))
                        .map(d -> d.getFileName().toString()).sorted().toList();
            }
        } else {
            ids = List.of();
        }
        for (String id : ids) {
            of(id);
        }
        synchronized (this) {
            return List.copyOf(histories.values());
        }
    }

    /** Closes every catalogue. */
    public synchronized void close() {
        for (History history : histories.values()) {
            try {
                history.catalog().close();
            } catch (IOException e) {
                // Every change was forced when it was made: nothing is lost.
            }
        }
    }

    /**
     * One source's history. Its session (when one runs) sets the volumes and the follower; readers
     * may call everything from any thread.
     */
    public final class History implements SourceHistory {
        private final String sourceId;
        private final CheckpointCatalog catalog;
        private volatile List<VolumeRef> volumes = List.of();
        private volatile JournalFollower follower;
        private volatile SourceJournal redo;
        private volatile SourceJournal undo;
        private volatile RetentionReport undoRetention;
        private volatile RetentionReport redoRetention;
        private volatile boolean gap;
        private volatile long startTimeMs;
        private volatile long appliedPosition = -1;

        History(String sourceId, CheckpointCatalog catalog) {
            this.sourceId = sourceId;
            this.catalog = catalog;
        }

        @Override
        public String sourceId() {
            return sourceId;
        }

        @Override
        public CheckpointCatalog catalog() {
            return catalog;
        }

        @Override
        public HistoryPins pins() {
            return pins;
        }

        @Override
        public Path undoDir() {
            return config.dir().resolve(sourceId).resolve(UNDO_DIR);
        }

        /** The redo journal's directory. */
        public Path redoDir() {
            return config.dir().resolve(sourceId);
        }

        @Override
        public JournalConfig journalConfig() {
            return config;
        }

        /** The undo queue opens as source {@link #UNDO_DIR} of a journal directory that is the source's. */
        JournalConfig undoConfig() {
            return new JournalConfig(redoDir(), config.retain(), config.maxBytes(), config.reserveBytes(),
                    config.blockSizeBytes(), config.clockMs());
        }

        @Override
        public List<VolumeRef> volumes() {
            return volumes;
        }

        @Override
        public JournalReader undoReader(long afterPosition) throws IOException {
            SourceJournal open = undo;
            return JournalReader.detached(undoDir(), config, afterPosition,
                    open == null ? () -> Long.MAX_VALUE : open::durablePosition);
        }

        @Override
        public void awaitApplied(Duration timeout) throws IOException, InterruptedException {
            JournalFollower running = follower;
            SourceJournal journal = redo;
            if (running == null || journal == null) {
                return; // no session: nothing is being appended, and a session ends after applying what it journaled
            }
            if (!running.awaitApplied(journal.durablePosition(), timeout.toNanos())) {
                throw new IOException(String.format("source %s: the volumes did not catch up with the journal within %d "
                        + "ms", sourceId, timeout.toMillis()));
            }
        }

        /** The newest launchable checkpoint, if any. */
        public Optional<CheckpointInfo> newestLaunchable() {
            return catalog.find("latest");
        }

        /** The oldest launchable checkpoint, if any. */
        public Optional<CheckpointInfo> oldestLaunchable() {
            return catalog.list().stream().filter(CheckpointInfo::launchable).findFirst();
        }

        /** Bytes the source's journal (redo and undo) uses, as last measured. */
        public long journalBytes() {
            RetentionReport u = undoRetention;
            RetentionReport r = redoRetention;
            return (u == null ? 0 : u.sizeBytes()) + (r == null ? 0 : r.sizeBytes());
        }

        /** The history asked: {@code --retain}, or less while the journal phase is younger than that. */
        public Duration historyAsked() {
            long start = startTimeMs;
            if (start <= 0) {
                return Duration.ZERO;
            }
            long ageMs = Math.max(0, config.clockMs().getAsLong() - start);
            return Duration.ofMillis(Math.min(config.retain().toMillis(), ageMs));
        }

        /** The history held: from the oldest launchable checkpoint to now. */
        public Duration historyHeld() {
            return oldestLaunchable().map(c -> Duration.ofMillis(Math.max(0, config.clockMs().getAsLong() - c.timeMs())))
                    .orElse(Duration.ZERO);
        }

        /**
         * Held over asked, at most 1; 1 while nothing is asked yet. Checkpoints are points, and the undo
         * queue is pruned in five-minute cycles: a ratio a little under 1 is normal.
         */
        public double historyRatio() {
            long asked = historyAsked().toMillis();
            if (asked <= 0) {
                return 1.0;
            }
            return Math.min(1.0, historyHeld().toMillis() / (double) asked);
        }

        /** Whether the history held is shorter than asked by more than {@link #SHORT_SLACK}, or lies after a gap. */
        public boolean historyShort() {
            return gap || historyHeld().plus(SHORT_SLACK).compareTo(historyAsked()) < 0;
        }

        /** Whether undo is not kept now (a gap until the next checkpoint). */
        public boolean inGap() {
            return gap;
        }

        /** The redo position the volumes applied and forced last (-1: none this run). */
        public long appliedPosition() {
            return appliedPosition;
        }

        /** The catalogue entry for a checkpoint marker found in the journal (recorded when it arrived, or rebuilt from the marker). */
        CheckpointInfo checkpointAt(JournalEntry.Marker marker) {
            return catalog.find(Long.toString(marker.id())).orElseGet(() -> new CheckpointInfo(sourceId, marker.id(),
                    marker.timeMs(), marker.label(), 0, volumes.stream().map(VolumeRef::name).toList(), 0, -1,
                    CheckpointInfo.State.PENDING, ""));
        }

        void session(List<VolumeRef> sessionVolumes, SourceJournal sessionRedo, JournalFollower sessionFollower,
                     long phaseStartTimeMs) {
            volumes = List.copyOf(sessionVolumes);
            redo = sessionRedo;
            follower = sessionFollower;
            startTimeMs = phaseStartTimeMs;
        }

        void sessionEnded() {
            follower = null;
            redo = null;
        }

        void undoOpened(SourceJournal openUndo) {
            undo = openUndo;
        }

        void applied(long position) {
            appliedPosition = position;
        }

        void undoRetention(RetentionReport report, boolean inGap) {
            undoRetention = report;
            gap = inGap;
        }

        void redoRetention(RetentionReport report) {
            redoRetention = report;
        }

    }

    /** How much shorter than asked the history may be before it counts as short (a cycle and a checkpoint's slack). */
    public static final Duration SHORT_SLACK = Duration.ofMinutes(10);
}
