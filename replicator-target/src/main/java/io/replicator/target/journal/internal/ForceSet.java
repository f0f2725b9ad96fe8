package io.replicator.target.journal.internal;

import io.replicator.target.internal.DurableFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a journal sync must force: the cycle file being appended to, every cycle file appended to
 * since the last sync (a roll happened in between), and the journal directory and Chronicle's
 * {@code metadata.cq4t} after a roll created a file. Chronicle Queue writes through a shared memory
 * map; on Linux {@code fdatasync} of any descriptor of the file ({@link FileChannel#force force(false)})
 * writes back every page dirtied through the map, as {@code msync} would, and with it the file size.
 *
 * <p>Thread-safe: the appending thread reports rolls; the syncing thread forces. The syncing thread is
 * the only one that forces, one sync at a time (the journal's sync lock).
 */
public final class ForceSet implements AutoCloseable {
    private final Path dir;
    // Guarded by this.
    private final Set<Path> rolledSinceSync = new LinkedHashSet<>();
    private Path current;
    private boolean directoryPending;
    // Syncing thread only.
    private Path openPath;
    private FileChannel openChannel;

    public ForceSet(Path dir) {
        this.dir = dir;
    }

    /** The appender now writes to {@code file} (a new cycle, or the first append after opening). */
    public synchronized void appendingTo(Path file) {
        if (file.equals(current)) {
            return;
        }
        if (current != null) {
            rolledSinceSync.add(current);
        }
        current = file;
        rolledSinceSync.add(file);
        directoryPending = true;
    }

    /**
     * Forces everything appended before this call: afterwards it is on stable storage. On failure the
     * same files are forced again by the next call.
     */
    public void force() throws IOException {
        List<Path> files;
        Path now;
        boolean directory;
        synchronized (this) {
            files = new ArrayList<>(rolledSinceSync);
            now = current;
            directory = directoryPending;
            rolledSinceSync.clear();
            directoryPending = false;
        }
        try {
            for (Path file : files) {
                if (!file.equals(now)) {
                    forceOnce(file);
                }
            }
            if (now != null) {
                channelFor(now).force(false);
            }
            if (directory) {
                Path metadata = dir.resolve(Queues.METADATA_FILE);
                if (Files.exists(metadata)) {
                    forceOnce(metadata);
                }
                DurableFiles.forceDirectory(dir);
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                rolledSinceSync.addAll(files);
                directoryPending |= directory;
            }
            throw e;
        }
    }

    private static void forceOnce(Path file) throws IOException {
        if (!Files.exists(file)) {
            return; // pruned meanwhile: nothing of it is needed any more
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(false);
        }
    }

    private FileChannel channelFor(Path file) throws IOException {
        if (!file.equals(openPath)) {
            closeChannel();
            openChannel = FileChannel.open(file, StandardOpenOption.READ);
            openPath = file;
        }
        return openChannel;
    }

    private void closeChannel() throws IOException {
        if (openChannel != null) {
            openChannel.close();
            openChannel = null;
            openPath = null;
        }
    }

    /** Closes the descriptor kept open; call from the syncing thread, after the last sync. */
    @Override
    public void close() throws IOException {
        closeChannel();
    }
}
