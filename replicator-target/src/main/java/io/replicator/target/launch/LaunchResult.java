package io.replicator.target.launch;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * What a launch built: per volume the copy's path, its size, how it was copied and how long it
 * took; and for the whole launch the checkpoint (its id, ISO-8601 UTC time and label), the undo read
 * and the total time; {@code result} is always {@code ok}. The admin endpoint answers it as JSON
 * (snake_case), without {@code phases}: a line for the receiver's log and benchmarks saying where the
 * time went. Immutable.
 */
public record LaunchResult(String result, String source, long checkpoint, String checkpointUtc, String label,
                           long timeMs, long undoMs, long undoEntries, long undoBytes, List<Volume> volumes,
                           @JsonIgnore String phases) {
    public LaunchResult {
        volumes = List.copyOf(volumes);
    }

    /**
     * One volume: {@code path} the launched image or device, {@code bytes} its size, {@code method}
     * reflink or sparse, {@code copyMs} its copy, {@code timeMs} its copy, the undo read and its force,
     * {@code restoredBytes} the bytes put back from the undo queue.
     */
    public record Volume(String name, String path, long bytes, String method, long copyMs, long restoredBytes,
                         long timeMs) {
    }
}
