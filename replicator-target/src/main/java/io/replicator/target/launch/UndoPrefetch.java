package io.replicator.target.launch;

import io.replicator.target.journal.internal.Queues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the undo queue's cycle files from a position on through the page cache in large sequential
 * reads before a launch reads their entries. Chronicle Queue reads through a memory map, and a cold
 * map faults in about 128 KiB at a time: on a busy disk that ran at 25 MB/s where a sequential
 * read runs at the disk's speed. Stateless.
 */
final class UndoPrefetch {
    private static final int READ_BYTES = 4 << 20;

    private UndoPrefetch() {
    }

    /** Reads every cycle file of {@code undoDir} from the cycle of {@code fromPosition} on; returns the bytes read. */
    static long warm(Path undoDir, long fromPosition) throws IOException {
        int fromCycle = (int) (fromPosition >>> 32);
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BYTES);
        long read = 0;
        for (Path file : Queues.cycles(undoDir).tailMap(fromCycle, true).values()) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long at = 0;
                int n;
                while ((n = channel.read(buffer.clear(), at)) > 0) {
                    at += n;
                }
                read += at;
            } catch (NoSuchFileException e) {
                // Pruned meanwhile: before the pin, so before the checkpoint's cycle.
            }
        }
        return read;
    }
}
