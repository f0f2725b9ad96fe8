package io.replicator.source.sync;

import io.replicator.source.track.DirtyMap;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.volume.SourceVolume;
import java.nio.file.Path;

/**
 * One volume as the source daemon hands it to the sync agent: the open volume, its fingerprints,
 * its dirty map (null under the scan tracker), where its state is saved, the generation of the
 * last save and how far its initial copy got. The agent owns all of it from then on.
 */
public record VolumeSetup(SourceVolume volume, FingerprintStore fingerprints, DirtyMap dirty, Path stateFile,
                          long generation, long cursorBlock) {
}
