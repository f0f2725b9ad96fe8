package io.replicator.target.launch;

import java.nio.file.Path;

/**
 * A volume of a source as a launch reads it: its name, its index in the source's volume list (as in
 * journal and undo entries), the live image file or block device the receiver writes, its size and
 * the replication block size (the unit of undo entries). Immutable.
 */
public record LaunchVolume(String name, int index, Path livePath, long sizeBytes, int blockSizeBytes) {
}
