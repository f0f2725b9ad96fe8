package io.replicator.target.internal;

import io.replicator.target.TargetStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the receiver knows of one source id since it started. The connection fields are guarded by
 * the {@link SourceRegistry}; the durable sequence and volumes are set by the apply thread of the
 * session that holds the source. Thread-safe.
 */
public final class SourceRecord {
    private final String id;
    private boolean connected;
    private String remoteAddress = "";
    private CompletableFuture<Void> lastSessionDone = CompletableFuture.completedFuture(null);
    private volatile long durableSequence;
    private volatile List<VolumeProgress> volumes = List.of();

    SourceRecord(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public void durableSequence(long durableSequence) {
        this.durableSequence = durableSequence;
    }

    public long durableSequence() {
        return durableSequence;
    }

    public void volumes(List<VolumeProgress> volumes) {
        this.volumes = List.copyOf(volumes);
    }

    /**
     * Takes the id for the session from {@code remote} that finishes with {@code sessionDone}; returns what
     * the previous session of the id finishes with, or null when a session holds the id now.
     */
    synchronized CompletableFuture<Void> claim(String remote, CompletableFuture<Void> sessionDone) {
        if (connected) {
            return null;
        }
        connected = true;
        remoteAddress = remote;
        CompletableFuture<Void> previous = lastSessionDone;
        lastSessionDone = sessionDone;
        return previous;
    }

    /** Lets the id go if the session that finishes with {@code sessionDone} still holds it. */
    synchronized void release(CompletableFuture<Void> sessionDone) {
        if (lastSessionDone == sessionDone) {
            connected = false;
        }
    }

    synchronized String remoteAddress() {
        return remoteAddress;
    }

    synchronized CompletableFuture<Void> lastSessionDone() {
        return lastSessionDone;
    }

    synchronized TargetStatus.SourceStatus status() {
        return new TargetStatus.SourceStatus(id, connected, remoteAddress, durableSequence,
                volumes.stream().map(VolumeProgress::status).toList(), null);
    }
}
