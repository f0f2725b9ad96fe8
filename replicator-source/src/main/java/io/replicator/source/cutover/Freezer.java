package io.replicator.source.cutover;

import io.replicator.source.sys.Command;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freezes mount points with {@code fsfreeze --freeze} (the file system flushes and then blocks
 * new writes) and thaws them again. Remembers what it froze so that {@link #thawAll} always undoes
 * exactly that, also after a partial failure. Not thread-safe: owned by the cutover's thread.
 */
public final class Freezer {
    private static final Logger LOG = LoggerFactory.getLogger(Freezer.class);
    private static final long COMMAND_TIMEOUT_SECONDS = 60;
    private final List<Path> frozen = new ArrayList<>();

    /** Freezes each mount point in order; on a failure thaws what it froze and throws naming the mount point. */
    public void freeze(List<Path> mountPoints) throws IOException {
        for (Path mount : mountPoints) {
            try {
                run("--freeze", mount);
            } catch (IOException e) {
                thawAll();
                throw e;
            }
            frozen.add(mount);
            LOG.info("cutover: froze {}", mount);
        }
    }

    /** Thaws everything this freezer froze, newest first; failures are logged and the rest still thawed. */
    public void thawAll() {
        for (int i = frozen.size() - 1; i >= 0; i--) {
            Path mount = frozen.get(i);
            try {
                run("--unfreeze", mount);
                LOG.info("cutover: thawed {}", mount);
            } catch (IOException e) {
                LOG.error("cutover: could not thaw {}: {}; run 'fsfreeze --unfreeze {}' by hand", mount,
                        e.getMessage(), mount);
            }
        }
        frozen.clear();
    }

    private static void run(String action, Path mount) throws IOException {
        Command.run(COMMAND_TIMEOUT_SECONDS, "fsfreeze", action, mount.toString());
    }
}
