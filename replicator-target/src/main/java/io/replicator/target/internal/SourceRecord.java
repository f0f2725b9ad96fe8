package io.replicator.target.internal;

import io.replicator.target.TargetStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the receiver knows of one source id: since it started, and from the source's {@code fleet} file
 * ({@link FleetFile}) what it knew before. The connection fields are guarded by
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
    /** When a frame of the source last arrived or its session opened or closed (epoch ms); 0: never. */
    private volatile long lastSeenMs;

    SourceRecord(String id) {
        this.id = id;
    }

    /** A source known from its {@code fleet} file, before any session in this run. */
    SourceRecord(String id, FleetFile.Entry entry) {
        this.id = id;
        this.lastSeenMs = entry.lastSeenMs();
        this.volumes = entry.volumes().stream()
                .map(v -> new VolumeProgress(v.name(), v.path(), v.sizeBytes(), v.durableBytes())).toList();
    }

    /** The source was heard from now. Any thread. */
    public void seen() {
        lastSeenMs = System.currentTimeMillis();
    }

    /** A block frame of {@code sequence} for volume {@code volume} and {@code wireBytes} arrived at {@code nowNs}. Event loop. */
    public void received(int volume, long sequence, long wireBytes, long nowNs) {
        lastSeenMs = System.currentTimeMillis();
        List<VolumeProgress> vs = volumes;
        if (volume < vs.size()) {
            vs.get(volume).received(sequence, wireBytes, nowNs);
        }
    }

    /** What the source's {@code fleet} file holds now: last seen, and each volume's durable bytes. */
    public FleetFile.Entry fleetEntry() {
        return new FleetFile.Entry(lastSeenMs, volumes.stream().map(v -> new FleetFile.Volume(v.name(), v.path(),
                v.sizeBytes(), v.durableBytesTotal())).toList());
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

    /** Whether the volumes of the source are known (from a session or its {@code fleet} file). */
    boolean hasVolumes() {
        return !volumes.isEmpty();
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
        seen();
        CompletableFuture<Void> previous = lastSessionDone;
        lastSessionDone = sessionDone;
        return previous;
    }

    /** Lets the id go if the session that finishes with {@code sessionDone} still holds it. */
    synchronized void release(CompletableFuture<Void> sessionDone) {
        if (lastSessionDone == sessionDone) {
            connected = false;
            seen();
        }
    }

    synchronized String remoteAddress() {
        return remoteAddress;
    }

    synchronized CompletableFuture<Void> lastSessionDone() {
        return lastSessionDone;
    }

    synchronized TargetStatus.SourceStatus status() {
        long nowNs = System.nanoTime();
        return new TargetStatus.SourceStatus(id, connected, remoteAddress, durableSequence,
                volumes.stream().map(v -> v.status(durableSequence, nowNs)).toList(),
                connected ? "connected" : "disconnected", lastSeenMs == 0 ? null : lastSeenMs, null);
    }
}
