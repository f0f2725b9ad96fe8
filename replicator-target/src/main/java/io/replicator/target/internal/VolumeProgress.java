package io.replicator.target.internal;

import io.replicator.target.TargetStatus;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one session applied to one volume: written by that session's apply thread, read by anyone
 * asking for status. Thread-safe.
 */
public final class VolumeProgress {
    private final String name;
    private final String path;
    private final long sizeBytes;
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong framesApplied = new AtomicLong();

    public VolumeProgress(String name, String path, long sizeBytes) {
        this.name = name;
        this.path = path;
        this.sizeBytes = sizeBytes;
    }

    public void applied(long bytes) {
        bytesWritten.addAndGet(bytes);
        framesApplied.incrementAndGet();
    }

    public TargetStatus.VolumeStatus status() {
        return new TargetStatus.VolumeStatus(name, path, sizeBytes, bytesWritten.get(), framesApplied.get());
    }
}
