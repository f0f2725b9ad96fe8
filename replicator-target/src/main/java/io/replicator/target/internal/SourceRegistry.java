package io.replicator.target.internal;

import io.replicator.target.TargetStatus;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sources the receiver has seen, and which of them hold a connection: at most one session per
 * source id at a time. A new session of an id waits for the previous session's apply thread to
 * finish ({@link Claim#previousDone()}) before it touches the id's files. Thread-safe.
 */
public final class SourceRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SourceRegistry.class);
    private final ConcurrentMap<String, SourceRecord> sources = new ConcurrentHashMap<>();
    private final long startedAtMs = System.currentTimeMillis();

    /**
     * Learns every source that has a {@code fleet} file under {@code dataDir} (one directory per
     * source id), so the fleet view lists the sources seen before a restart; a file that cannot be
     * read is skipped with a warning.
     */
    public void load(Path dataDir) throws IOException {
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            for (Path dir : dirs) {
                try {
                    FleetFile.Entry entry = FleetFile.read(dir);
                    if (entry != null) {
                        String id = dir.getFileName().toString();
                        sources.putIfAbsent(id, new SourceRecord(id, entry));
                    }
                } catch (IOException e) {
                    LOG.warn("fleet view: cannot read {}: {}; source {} is listed once it connects",
                            dir.resolve(FleetFile.FILE_NAME), e.toString(), dir.getFileName());
                }
            }
        }
    }

    /**
     * A session's hold on a source id. {@code done} must complete once the session is over, and only
     * after {@code previousDone}: the next session of the id waits for it before it touches the id's files.
     */
    public record Claim(SourceRecord source, CompletableFuture<?> previousDone, CompletableFuture<Void> done) {
        /** The session will never run (its apply thread could not start): it is done once the previous one is. */
        public void abandon() {
            previousDone.whenComplete((ignored, failure) -> done.complete(null));
        }
    }

    /** Claims {@code id} for a session from {@code remote}, or returns null when another session holds it. */
    public Claim claim(String id, String remote) {
        SourceRecord record = sources.computeIfAbsent(id, SourceRecord::new);
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> previous = record.claim(remote, done);
        return previous == null ? null : new Claim(record, previous, done);
    }

    /**
     * Knows {@code id} from its files (a sealed source, at start) before any session of it: its durable
     * sequence, and {@code volumes} unless its {@code fleet} file ({@link #load}) named them already
     * with what was made durable of them.
     */
    public void remember(String id, long durableSequence, List<VolumeProgress> volumes) {
        SourceRecord record = sources.computeIfAbsent(id, SourceRecord::new);
        record.durableSequence(durableSequence);
        if (!record.hasVolumes()) {
            record.volumes(volumes);
        }
    }

    /** Where the session holding {@code id} comes from, or an empty string. */
    public String remoteAddress(String id) {
        SourceRecord record = sources.get(id);
        return record == null ? "" : record.remoteAddress();
    }

    /** The connection of {@code claim} is gone; a new one may claim the id. Releasing a claim twice changes nothing. */
    public void release(Claim claim) {
        claim.source().release(claim.done());
    }

    public TargetStatus status() {
        return status(null);
    }

    /** The fleet: every source known, sorted by id; {@code maxRateBytesPerSecond} the receiver's limit (null: none). */
    public TargetStatus status(Long maxRateBytesPerSecond) {
        return new TargetStatus("receiver", startedAtMs, maxRateBytesPerSecond, sources.values().stream()
                .map(SourceRecord::status).sorted(Comparator.comparing(TargetStatus.SourceStatus::id)).toList());
    }

    /** Waits until every session's apply thread has finished; false when {@code timeoutMs} passed first. */
    public boolean awaitSessionsDone(long timeoutMs) throws InterruptedException {
        List<CompletableFuture<Void>> all = sources.values().stream().map(SourceRecord::lastSessionDone).toList();
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("an apply thread failed", e.getCause());
        }
    }
}
