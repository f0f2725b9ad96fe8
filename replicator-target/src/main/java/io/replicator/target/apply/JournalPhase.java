package io.replicator.target.apply;

import io.replicator.protocol.guard.PeerText;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CheckpointAck;
import io.replicator.target.TargetMetrics;
import io.replicator.target.internal.DurableFiles;
import io.replicator.target.internal.SourceRecord;
import io.replicator.target.journal.CheckpointCatalog;
import io.replicator.target.journal.CheckpointInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a source's journal phase begins: once its initial copy is complete and durable on the volumes,
 * what its journal directory held from an earlier copy is dropped (it no longer matches the volumes;
 * its checkpoints become pruned), the phase is recorded durably ({@link AppliedFile}) and the journal
 * opens. Stateless.
 */
final class JournalPhase {
    static final String NOT_COPIED = "the source's initial copy is not complete: no earlier state to keep";
    private static final Logger log = LoggerFactory.getLogger(JournalPhase.class);

    private JournalPhase() {
    }

    /** Begins the journal phase after {@code durableSequence}, everything up to which is forced on the volumes. */
    static JournalSession begin(SourceHistories.History history, List<TargetVolume> volumes, AppliedFile appliedFile,
                                long durableSequence, WriteTurns turns, SessionLink link, SourceRecord source,
                                TargetMetrics metrics, ByteBuffer scratch) throws IOException {
        Path dir = history.redoDir();
        if (dropEarlier(dir)) {
            int pruned = history.catalog().pruneAll("the source made a new initial copy: the history before it no "
                    + "longer matches the volumes");
            log.warn("source {}: a new initial copy; the journal it had in {} is dropped ({} checkpoint(s) pruned)",
                    PeerText.escape(history.sourceId()), dir, pruned);
        }
        AppliedFile.State state = new AppliedFile.State(durableSequence, -1, durableSequence, -1, -1,
                history.journalConfig().clockMs().getAsLong());
        appliedFile.write(state);
        long startNs = System.nanoTime();
        JournalSession session = JournalSession.open(history, volumes, appliedFile, state, turns, link, source, metrics,
                scratch);
        log.info("source {}: initial copy complete at sequence {}; from here on its changes are journaled in {} "
                + "(opened in {} ms)", PeerText.escape(history.sourceId()), durableSequence, dir,
                (System.nanoTime() - startNs) / 1_000_000);
        return session;
    }

    /** Deletes what a journal directory holds besides the checkpoint catalogue; returns whether it held any. */
    private static boolean dropEarlier(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        List<Path> earlier;
        try (Stream<Path> files = Files.list(dir)) {
            earlier = files.filter(f -> !f.getFileName().toString().startsWith(CheckpointCatalog.FILE)).toList();
        }
        for (Path path : earlier) {
            try (Stream<Path> tree = Files.walk(path)) {
                for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        if (!earlier.isEmpty()) {
            DurableFiles.forceDirectory(dir);
        }
        return earlier.stream().anyMatch(p -> p.getFileName().toString().endsWith(".cq4")
                || p.getFileName().toString().equals(SourceHistories.UNDO_DIR));
    }

    /** A consistent checkpoint before the journal phase: recorded as not launchable, and so answered. */
    static CheckpointAck notLaunchable(Checkpoint checkpoint, SourceHistories.History history, List<String> volumes)
            throws IOException {
        if (checkpoint.kind() == Checkpoint.Kind.CONSISTENT
                && history.catalog().find(Long.toString(checkpoint.checkpointId())).isEmpty()) {
            history.catalog().put(new CheckpointInfo(history.sourceId(), checkpoint.checkpointId(), checkpoint.timeMs(),
                    checkpoint.label(), checkpoint.freezeMs(), volumes, 0, -1, CheckpointInfo.State.NOT_LAUNCHABLE,
                    NOT_COPIED));
        }
        return new CheckpointAck(checkpoint.requestId(), false, NOT_COPIED);
    }
}
