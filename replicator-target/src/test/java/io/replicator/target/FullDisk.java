package io.replicator.target;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;

/**
 * A receiver whose volumes fill up on demand: while {@link #fill} is in force every write to them
 * fails as a full disk's does, and after {@link #free} they take writes again, with no restart. For
 * the end-to-end tests of other modules (this module's test-jar). The state is one per JVM.
 */
public final class FullDisk {
    static final String NO_SPACE = "No space left on device";

    private FullDisk() {
    }

    /** Starts a receiver whose volumes are written through {@link FailingFileChannel}. */
    public static TargetServer startTarget(TargetConfig config, MeterRegistry registry) throws IOException {
        return TargetServer.start(config, registry, FailingFileChannel.OPENER);
    }

    /** From now on, writes to those volumes fail with ENOSPC's message. */
    public static void fill() {
        FailingFileChannel.writeError.set(NO_SPACE);
    }

    /** Writes go through again. */
    public static void free() {
        FailingFileChannel.writeError.set(null);
    }
}
