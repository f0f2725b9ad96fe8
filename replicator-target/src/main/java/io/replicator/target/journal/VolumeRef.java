package io.replicator.target.journal;

import java.nio.file.Path;

/**
 * One volume of a source as the receiver writes it: its name, its index in the source's volume list
 * (the {@code volume} of block and undo entries), the live image file or device, its size and the
 * size of the blocks the undo queue keeps. Immutable.
 */
public record VolumeRef(String name, int index, Path path, long sizeBytes, int blockSizeBytes) {
}
