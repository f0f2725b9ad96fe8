package io.replicator.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loop devices, ext4 and mounts for a test, undone in reverse order on {@link #close()} even when
 * the test failed: a frozen mount is thawed, mounts unmounted, loop devices detached.
 */
final class LoopFs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopFs.class);
    private final Deque<String[]> undo = new ArrayDeque<>();

    /** Attaches {@code image} (created at {@code sizeBytes} if missing) and returns the device path. */
    String attach(Path image, long sizeBytes) throws IOException, InterruptedException {
        if (!Files.exists(image)) {
            try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
                raf.setLength(sizeBytes);
            }
        }
        String device = Shell.run("losetup", "--find", "--show", image.toString());
        undo.push(new String[] {"losetup", "--detach", device});
        return device;
    }

    /** Attaches read-only. */
    String attachReadOnly(Path image) throws IOException, InterruptedException {
        String device = Shell.run("losetup", "--find", "--show", "--read-only", image.toString());
        undo.push(new String[] {"losetup", "--detach", device});
        return device;
    }

    void mkfsExt4(String device) throws IOException, InterruptedException {
        Shell.run("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", device);
    }

    void mount(String device, Path mountPoint, String... options) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        String[] cmd = options.length == 0 ? new String[] {"mount", device, mountPoint.toString()}
                : new String[] {"mount", "-o", String.join(",", options), device, mountPoint.toString()};
        Shell.run(cmd);
        undo.push(new String[] {"umount", mountPoint.toString()});
        undo.push(new String[] {"fsfreeze", "--unfreeze", mountPoint.toString(), "#ignore-failure"});
    }

    /** Mounts a tmpfs of {@code sizeBytes} on {@code mountPoint}: a file system that fills up fast. */
    void mountTmpfs(Path mountPoint, long sizeBytes) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        Shell.run("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, "tmpfs", mountPoint.toString());
        undo.push(new String[] {"umount", mountPoint.toString()});
    }

    /** A write and its fsync on {@code mount} complete within 20 s: the file system takes writes. */
    static void assertWritable(Path mount) throws Exception {
        java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                Files.writeString(mount.resolve("written-after"), "takes writes");
                Shell.run("sync", "-f", mount.resolve("written-after").toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).get(20, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        while (!undo.isEmpty()) {
            String[] cmd = undo.pop();
            boolean ignore = cmd[cmd.length - 1].equals("#ignore-failure");
            String[] real = ignore ? java.util.Arrays.copyOf(cmd, cmd.length - 1) : cmd;
            try {
                Shell.run(real);
            } catch (IOException | InterruptedException e) {
                if (!ignore) {
                    LOG.error("cleanup '{}' failed: {}", String.join(" ", real), e.getMessage());
                }
            }
        }
    }
}
