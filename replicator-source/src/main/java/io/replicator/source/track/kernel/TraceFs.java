package io.replicator.source.track.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where tracefs is, and whether the kernel tracker can work on this machine: root, tracefs
 * (mounted here when it is not), and the block completion events. Thread-safe (stateless).
 */
public final class TraceFs {
    public static final Path ROOT = Path.of("/sys/kernel/tracing");
    private static final String[] EVENTS = {"block_rq_complete", "block_bio_complete"};

    private TraceFs() {
    }

    /** Why the kernel tracker cannot work here, or null when it can (mounting tracefs if needed). */
    public static String unavailableReason() {
        try {
            if (!isRoot()) {
                return "not running as root (tracefs needs root)";
            }
            if (!Files.isDirectory(ROOT.resolve("instances"))) {
                if (!Files.readString(Path.of("/proc/filesystems")).contains("tracefs")) {
                    return "the kernel has no tracefs";
                }
                mount();
            }
            for (String event : EVENTS) {
                if (!Files.isDirectory(ROOT.resolve("events/block").resolve(event))) {
                    return "the kernel has no block:" + event + " trace event";
                }
            }
            return null;
        } catch (IOException e) {
            return "tracefs is not usable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while mounting tracefs";
        }
    }

    private static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0");
            }
        }
        return false;
    }

    private static void mount() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mount", "-t", "tracefs", "nodev", ROOT.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.isDirectory(ROOT.resolve("instances"))) {
            throw new IOException("cannot mount tracefs on " + ROOT + (out.isEmpty() ? "" : ": " + out));
        }
    }
}
