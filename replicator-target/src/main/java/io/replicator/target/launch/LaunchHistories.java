package io.replicator.target.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The receiver's sources as launches see them. Implementations are thread-safe. */
public interface LaunchHistories {
    /** The history of {@code sourceId}, empty when the receiver keeps none for it. */
    Optional<LaunchHistory> history(String sourceId);

    /** The ids of the sources whose history the receiver keeps (for error messages). */
    List<String> sourceIds();

    /** Every image file and device the receiver writes, of every source: a launch never writes one. */
    List<Path> receiverVolumes();

    /** Directories a launch never writes into: the receiver's data and journal directories. */
    List<Path> receiverDirs();
}
