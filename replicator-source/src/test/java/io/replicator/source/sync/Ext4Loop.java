package io.replicator.source.sync;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A fresh ext4 file system on a loop device over a sparse image, mounted for a test; {@link #close}
 * thaws it (in case), unmounts it and detaches the device even when the test failed. Root only: {@link
 * #unavailable} says why not. Not thread-safe.
 */
final class Ext4Loop implements AutoCloseable {
    final Path image;
    final Path mount;
    final String device;

    private Ext4Loop(Path image, Path mount, String device) {
        this.image = image;
        this.mount = mount;
        this.device = device;
    }

    /** Why a test cannot make one here, or null when it can. */
    static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root (losetup, mount, fsfreeze)";
        }
        for (String tool : new String[] {"losetup", "mkfs.ext4", "fsfreeze", "e2fsck", "debugfs"}) {
            if (!Files.isExecutable(Path.of("/usr/sbin", tool)) && !Files.isExecutable(Path.of("/sbin", tool))) {
                return "needs " + tool;
            }
        }
        return null;
    }

    static Ext4Loop create(Path dir, long sizeBytes) throws IOException {
        Path image = dir.resolve("ext4.img");
        try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(sizeBytes);
        }
        String device = run("losetup", "--find", "--show", image.toString());
        Path mount = dir.resolve("mnt");
        Ext4Loop fs = new Ext4Loop(image, mount, device);
        try {
            run("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", device);
            Files.createDirectories(mount);
            run("mount", device, mount.toString());
        } catch (IOException e) {
            fs.close();
            throw e;
        }
        return fs;
    }

    /** {@code e2fsck -fn IMAGE}: null when clean, else its output. */
    static String fsck(Path image) throws IOException {
        Process p = new ProcessBuilder("e2fsck", "-fn", image.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            return p.waitFor() == 0 ? null : out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The file {@code name} of the file system in {@code image}, read with debugfs (nothing mounted). */
    static byte[] read(Path image, String name, Path out) throws IOException {
        run("debugfs", "-R", "dump /" + name + " " + out, image.toString());
        return Files.readAllBytes(out);
    }

    static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // best effort: the next step says what is left
        }
    }

    @Override
    public void close() throws IOException {
        quietly("fsfreeze", "--unfreeze", mount.toString());
        quietly("umount", mount.toString());
        run("losetup", "--detach", device);
    }
}
