package io.replicator.target.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Small file systems for the full-disk tests (as root): an ext4 image on a loop device mounted on a
 * directory, and its unmount. Stateless.
 */
public final class SmallDisks {
    private SmallDisks() {
    }

    /** Makes an ext4 file system of {@code size} (e.g. {@code 64M}, no reserved blocks) in {@code image} and mounts it on {@code mnt}. */
    public static void mountExt4(Path image, String size, Path mnt) throws IOException {
        run("truncate", "-s", size, image.toString());
        run("mkfs.ext4", "-q", "-m", "0", image.toString());
        run("mount", "-o", "loop", image.toString(), mnt.toString());
    }

    /**
     * Unmounts {@code mnt} (which also detaches a loop device {@code mount -o loop} attached). The
     * journal's files stay mapped until their mappings are released, which may be a moment after the
     * journal closed ("target is busy"): retried for a few seconds, then detached lazily, so that the
     * mount goes away (and its loop device once the last mapping does).
     */
    public static void unmount(Path mnt) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                run("umount", mnt.toString());
                return;
            } catch (IOException busy) {
                System.gc();
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        run("umount", "-l", mnt.toString());
    }

    /** Runs {@code command}; an {@link IOException} with its output when it fails or takes over a minute. */
    public static void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
