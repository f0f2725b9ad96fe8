package io.replicator.target.launch;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Loop devices and mounts for the launch tests, undone in reverse order on {@link #close()} even
 * when the test failed. The tests that use it need root and say so when they skip. Not thread-safe.
 */
final class Mounts implements AutoCloseable {
    private final Deque<String[]> undo = new ArrayDeque<>();

    static void assumeRoot() throws IOException {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "skipped: loop devices and mounts need root");
    }

    static boolean installed(String tool) {
        for (String dir : new String[] {"/sbin", "/usr/sbin", "/bin", "/usr/bin"}) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** A loop device over a new sparse file {@code image} of {@code sizeBytes}. */
    String loop(Path image, long sizeBytes) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(sizeBytes);
        }
        String device = run("losetup", "--find", "--show", image.toString()).trim();
        undo.push(new String[] {"losetup", "--detach", device});
        return device;
    }

    /** Makes a file system with {@code mkfs} on {@code device} and mounts it on {@code mnt}. */
    void mount(String device, Path mnt, String... mkfs) throws IOException {
        String[] command = java.util.Arrays.copyOf(mkfs, mkfs.length + 1);
        command[mkfs.length] = device;
        run(command);
        Files.createDirectories(mnt);
        run("mount", device, mnt.toString());
        undo.push(new String[] {"umount", mnt.toString()});
    }

    static String run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        while (!undo.isEmpty()) {
            try {
                run(undo.pop());
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
