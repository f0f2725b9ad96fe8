package io.replicator.target.launch;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What to launch: checkpoint {@code checkpoint} (an id, or {@code latest}) of source {@code sourceId},
 * each volume into {@code outDir/NAME.img} unless {@code map} names a device for it ({@code outDir}
 * may be null when every volume is mapped). Immutable.
 */
public record LaunchRequest(String sourceId, String checkpoint, Path outDir, Map<String, Path> map) {
    public LaunchRequest {
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(checkpoint, "checkpoint");
        map = Map.copyOf(map);
    }
}
