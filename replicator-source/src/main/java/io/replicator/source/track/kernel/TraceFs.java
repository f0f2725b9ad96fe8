package io.replicator.source.track.kernel;

import io.replicator.source.sys.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's tracing file system at {@code /sys/kernel/tracing}: finds it, mounts it when it is
 * missing and the process is root, and says in one sentence why it cannot be used otherwise
 * ({@link #unavailableReason()}, for {@code --tracker auto}). Thread-safe (stateless).
 */
public final class TraceFs {
    private static final Logger LOG = LoggerFactory.getLogger(TraceFs.class);
    public static final Path ROOT = Path.of("/sys/kernel/tracing");
    static final List<String> BLOCK_EVENTS = List.of("block_rq_complete", "block_bio_complete");
    private static final long MOUNT_TIMEOUT_SECONDS = 30;

    private final Path root;

    private TraceFs(Path root) {
        this.root = root;
    }

    /** Opens tracefs, mounting it first if needed; throws with the reason when it cannot be used. */
    public static TraceFs open() throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IOException("kernel block tracing is unavailable: " + reason);
        }
        return new TraceFs(ROOT);
    }

    /** Why block tracing cannot be used here, or null when it can (mounting tracefs on the way if root). */
    public static String unavailableReason() {
        try {
            if (!Files.readString(Path.of("/proc/filesystems")).contains("\ttracefs")) {
                return "the kernel has no tracefs (not listed in /proc/filesystems)";
            }
            long uid = effectiveUid();
            if (uid != 0) {
                return "tracing needs root; this process runs as uid " + uid;
            }
            if (!Files.isDirectory(ROOT.resolve("events"))) {
                mount();
            }
            for (String event : BLOCK_EVENTS) {
                Path dir = ROOT.resolve("events/block").resolve(event);
                if (!Files.isDirectory(dir)) {
                    return "the kernel has no block trace event " + event + " (" + dir + " is missing)";
                }
            }
            if (!Files.isDirectory(ROOT.resolve("instances"))) {
                return "tracefs at " + ROOT + " has no instances directory";
            }
            return Cpus.unavailableReason();
        } catch (IOException e) {
            return "cannot use tracefs: " + e.getMessage();
        }
    }

    public Path root() {
        return root;
    }

    public Path instances() {
        return root.resolve("instances");
    }

    /** The effective uid, from the second field of the {@code Uid:} line of /proc/self/status. */
    static long effectiveUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        throw new IOException("no Uid line in /proc/self/status");
    }

    private static void mount() throws IOException {
        LOG.info("mounting tracefs at {}", ROOT);
        try {
            Command.run(MOUNT_TIMEOUT_SECONDS, "mount", "-t", "tracefs", "nodev", ROOT.toString());
        } catch (IOException e) {
            throw new IOException("tracefs is not mounted at " + ROOT + " and " + e.getMessage(), e);
        }
        if (!Files.isDirectory(ROOT.resolve("events"))) {
            throw new IOException("tracefs is not mounted at " + ROOT + ": 'mount -t tracefs nodev " + ROOT
                    + "' succeeded but " + ROOT.resolve("events") + " is missing");
        }
    }
}
