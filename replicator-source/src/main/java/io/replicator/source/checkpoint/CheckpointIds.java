package io.replicator.source.checkpoint;

import io.replicator.source.sys.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The source's checkpoint numbers: each checkpoint takes the next one, and the last one taken is kept
 * in {@code STATE_DIR/checkpoint-id} (replaced durably before the number is used), so that numbers
 * increase across restarts. A number taken by a checkpoint that failed is not used again. Without a
 * state directory numbers start at 1 in each run. Thread-safe.
 */
public final class CheckpointIds {
    public static final String FILE_NAME = "checkpoint-id";

    private final Path file;
    private long last;

    private CheckpointIds(Path file, long last) {
        this.file = file;
        this.last = last;
    }

    /** The numbers kept in {@code stateDir} (null: in memory only). */
    public static CheckpointIds open(Path stateDir) throws IOException {
        if (stateDir == null) {
            return new CheckpointIds(null, 0);
        }
        Path file = stateDir.resolve(FILE_NAME);
        long last = 0;
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            try {
                last = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IOException("invalid checkpoint number in " + file + ": '" + text
                        + "' (expected: a decimal number); remove the file only if no receiver keeps checkpoints of "
                        + "this source");
            }
            if (last < 0) {
                throw new IOException("invalid checkpoint number in " + file + ": " + last + " (expected: 0 or more)");
            }
        } catch (NoSuchFileException e) {
            // no checkpoint yet
        }
        return new CheckpointIds(file, last);
    }

    /** Takes the next number, on stable storage before it is returned. */
    public synchronized long next() throws IOException {
        long id = last + 1;
        if (file != null) {
            DurableFiles.write(file, ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
        }
        last = id;
        return id;
    }

    /** The last number taken, 0 when none. */
    public synchronized long last() {
        return last;
    }
}
