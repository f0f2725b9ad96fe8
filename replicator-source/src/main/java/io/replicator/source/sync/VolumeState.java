package io.replicator.source.sync;

import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.volume.SourceVolume;
import java.io.IOException;

/**
 * One replicated volume as the sync agent sees it: the open volume, its fingerprints and its
 * counters. Not thread-safe: owned by the sync agent's thread; {@link #snapshot} is how other
 * threads see it.
 */
final class VolumeState implements AutoCloseable {
    final int index;
    final SourceVolume volume;
    final FingerprintStore fingerprints;
    final VolumeInfo info;
    long sentPayloadBytes;
    long inFlightChangedBytes;
    long unreplicatedBlocks;
    long observedChangedBlocks;

    VolumeState(int index, SourceVolume volume, FingerprintStore fingerprints, int blockSizeBytes) {
        this.index = index;
        this.volume = volume;
        this.fingerprints = fingerprints;
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

    long backlogBytes() {
        return info.sizeBytes() - syncedBytes() + inFlightChangedBytes;
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
