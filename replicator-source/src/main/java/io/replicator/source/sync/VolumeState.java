package io.replicator.source.sync;

import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.track.DirtyMap;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.volume.SourceVolume;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One replicated volume as the sync agent sees it: the open volume, its fingerprints, its dirty
 * map (kernel tracker only), its initial-copy cursor and its counters. Not thread-safe: owned by the
 * sync agent's thread; other threads see it through the status snapshot the agent takes ({@link
 * AgentRequests#status}).
 */
final class VolumeState implements AutoCloseable {
    final int index;
    final SourceVolume volume;
    final FingerprintStore fingerprints;
    /** Blocks the kernel saw written and the agent has not read since; null under the scan tracker. */
    final DirtyMap dirty;
    final Path stateFile;
    final VolumeInfo info;
    long stateGeneration;
    /** Every block below this one was read by the initial copy. */
    long cursorBlock;
    long sentPayloadBytes;
    long unreplicatedBlocks;
    long observedChangedBlocks;
    /** Plain bytes of the blocks put on the wire since start (zero ranges counted whole). */
    long sentPlainBytes;
    /** Bytes of blocks found changed (differing from what the target held) since start. */
    long changedBytesFound;
    /** Bytes found changed by the pass running. */
    long passChangedBytes;
    /** Scan tracker: the write rate its last pass saw (found changed over the time since the pass before started); -1 before. */
    double scanWriteBytesPerSecond = -1;
    /** Scan tracker: bytes found changed by the last pass (not while paused). */
    long lastPassChangedBytes;
    /** Scan tracker: blocks found changed by passes while sending was paused; cleared by the next pass that sends. */
    long pausedChangedBlocks;
    /** The write and send rates and whether they converge. */
    final Forecast forecast = new Forecast();

    VolumeState(int index, VolumeSetup setup, int blockSizeBytes) {
        this.index = index;
        this.volume = setup.volume();
        this.fingerprints = setup.fingerprints();
        this.dirty = setup.dirty();
        this.stateFile = setup.stateFile();
        this.stateGeneration = setup.generation();
        this.cursorBlock = setup.cursorBlock();
        this.info = new VolumeInfo(volume.name(), volume.sizeBytes(), blockSizeBytes);
    }

    int blockSize() {
        return info.blockSizeBytes();
    }

    long blockCount() {
        return info.blockCount();
    }

    long syncedBytes() {
        return Math.min(info.sizeBytes(), fingerprints.knownBlocks() * info.blockSizeBytes());
    }

    /**
     * What is known changed and not yet durable on the target: blocks never sent,
     * {@code inFlightChangedBytes} of changed blocks in flight, {@code resendChangedBytes} of changed
     * blocks waiting to be sent again, and dirty blocks.
     */
    long backlogBytes(long inFlightChangedBytes, long resendChangedBytes) {
        long dirtyBytes = dirty == null ? 0 : dirty.count() * info.blockSizeBytes();
        return Math.min(info.sizeBytes(), info.sizeBytes() - syncedBytes() + inFlightChangedBytes
                + resendChangedBytes + dirtyBytes + pausedChangedBlocks * info.blockSizeBytes());
    }

    @Override
    public void close() throws IOException {
        try {
            fingerprints.close();
        } finally {
            volume.close();
        }
    }
}
