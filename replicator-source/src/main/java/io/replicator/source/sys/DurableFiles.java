package io.replicator.source.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole files of the source's state directory replaced or removed so that a crash leaves the old
 * content or the new, never a part: write {@code NAME.tmp}, force it, rename it over {@code NAME},
 * force the directory. The tracker's state and the cutover record are written so. Stateless.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** Replaces {@code file} with the bytes {@code buffer} holds (it is read to its end); returns once the rename is on stable storage. */
    public static void write(Path file, ByteBuffer buffer) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.getParent());
    }

    /** Removes {@code file}; returns once the removal is on stable storage; true when there was one. */
    public static boolean delete(Path file) throws IOException {
        boolean existed = Files.deleteIfExists(file);
        forceDirectory(file.getParent());
        return existed;
    }

    /** Forces a directory's entries (a rename, a new or removed file in it) to stable storage. */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
