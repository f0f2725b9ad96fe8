package io.replicator.target.internal;

import io.replicator.target.TargetStatus;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The sources the receiver has seen, and which of them hold a connection: at most one session per
 * source id at a time. A new session of an id waits for the previous session's apply thread to
 * finish ({@link Claim#previousDone()}) before it touches the id's files. Thread-safe.
 */
public final class SourceRegistry {
    private final ConcurrentMap<String, SourceRecord> sources = new ConcurrentHashMap<>();

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
     * sequence and volumes. Changes nothing when the id is known already.
     */
    public void remember(String id, long durableSequence, List<VolumeProgress> volumes) {
        sources.computeIfAbsent(id, known -> {
            SourceRecord record = new SourceRecord(known);
            record.durableSequence(durableSequence);
            record.volumes(volumes);
            return record;
        });
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
        return new TargetStatus(sources.values().stream().map(SourceRecord::status)
                .sorted(Comparator.comparing(TargetStatus.SourceStatus::id)).toList());
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
