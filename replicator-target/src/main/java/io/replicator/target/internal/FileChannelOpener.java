package io.replicator.target.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the channels target volumes are written through. The default is {@link FileChannel#open};
 * fault tests hand in one whose channels fail like a full or broken disk. Implementations are
 * thread-safe.
 */
@FunctionalInterface
public interface FileChannelOpener {
    FileChannelOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}
