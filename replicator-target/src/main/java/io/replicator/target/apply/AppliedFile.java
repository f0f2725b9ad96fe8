package io.replicator.target.apply;

import io.replicator.target.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The file {@code DATA_DIR/ID/journal-applied}: that source ID's journal phase started (its initial
 * copy is complete, every later block goes through the journal), and how far the volumes follow the
 * journal: the last redo position applied and forced, the highest block sequence up to it, and the
 * undo interval being kept (the undo position of its checkpoint marker and the checkpoint's id;
 * {@code -1} while no undo is kept: before the first checkpoint, or in a gap of the history).
 * Replaced atomically ({@link DurableFiles}).
 *
 * <pre>
 *  0       4         6      8               16              24              32              40             48            56
 *  +-------+---------+------+---------------+---------------+---------------+---------------+--------------+-------------+--------+
 *  | magic | version | rsvd | startSequence | appliedPosition | appliedSequence | intervalUndo | intervalCkptId | startTimeMs | crc32c |
 *  | u32   | u16     | u16  | u64           | i64           | u64           | i64           | i64          | u64         | u32    |
 *  +-------+---------+------+---------------+---------------+---------------+---------------+--------------+-------------+--------+
 * </pre>
 * Big-endian; magic is ASCII {@code "RJAP"}; {@code startTimeMs} is when the journal phase started (UTC
 * milliseconds); the CRC32C covers bytes 0-55. A missing file: the source
 * is still in its initial copy. A damaged one is an error naming it (reading on without it could
 * apply the journal over blocks it never saw): the admin restores or deletes it (deleting restarts the
 * source's journal phase from its next initial-copy point). Not thread-safe: one owner at a time.
 */
public final class AppliedFile {
    public static final String FILE_NAME = "journal-applied";
    public static final int MAGIC = 0x524A4150;
    public static final int VERSION = 1;
    static final int START_OFFSET = 8;
    static final int POSITION_OFFSET = 16;
    static final int SEQUENCE_OFFSET = 24;
    static final int INTERVAL_OFFSET = 32;
    static final int CHECKPOINT_OFFSET = 40;
    static final int START_TIME_OFFSET = 48;
    static final int CRC_OFFSET = 56;
    static final int LENGTH = 60;

    /** What the file holds. */
    public record State(long startSequence, long appliedPosition, long appliedSequence, long intervalUndoPosition,
                        long intervalCheckpointId, long startTimeMs) {
        /** The same with {@code position} and {@code sequence} applied. */
        public State applied(long position, long sequence) {
            return new State(startSequence, position, sequence, intervalUndoPosition, intervalCheckpointId, startTimeMs);
        }

        /** The same in a new undo interval (-1, -1: none kept). */
        public State interval(long undoPosition, long checkpointId) {
            return new State(startSequence, appliedPosition, appliedSequence, undoPosition, checkpointId, startTimeMs);
        }
    }

    private final Path file;

    public AppliedFile(Path sourceDir) {
        this.file = sourceDir.resolve(FILE_NAME);
    }

    public Path path() {
        return file;
    }

    /** What the file holds, or null when it is missing (the source's journal phase has not started). */
    public State read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        String problem = bytes.length != LENGTH ? String.format("length %d bytes (expected: %d)", bytes.length, LENGTH)
                : b.getInt(0) != MAGIC ? String.format("magic 0x%08x (expected: 0x%08x)", b.getInt(0), MAGIC)
                : b.getShort(4) != VERSION ? String.format("version %d (expected: %d)", b.getShort(4), VERSION)
                : b.getInt(CRC_OFFSET) != crc(bytes) ? String.format("crc32c 0x%08x (expected: 0x%08x)",
                        b.getInt(CRC_OFFSET), crc(bytes)) : null;
        if (problem != null) {
            throw new IOException(String.format("journal progress file %s is damaged (%s): restore it, or delete it "
                    + "and the source's journal directory to start its history again", file, problem));
        }
        return new State(b.getLong(START_OFFSET), b.getLong(POSITION_OFFSET), b.getLong(SEQUENCE_OFFSET),
                b.getLong(INTERVAL_OFFSET), b.getLong(CHECKPOINT_OFFSET), b.getLong(START_TIME_OFFSET));
    }

    /** Durably records {@code state}. */
    public void write(State state) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putInt(0, MAGIC).putShort(4, (short) VERSION).putShort(6, (short) 0).putLong(START_OFFSET, state.startSequence())
                .putLong(POSITION_OFFSET, state.appliedPosition()).putLong(SEQUENCE_OFFSET, state.appliedSequence())
                .putLong(INTERVAL_OFFSET, state.intervalUndoPosition())
                .putLong(CHECKPOINT_OFFSET, state.intervalCheckpointId()).putLong(START_TIME_OFFSET, state.startTimeMs());
        b.putInt(CRC_OFFSET, crc(b.array()));
        DurableFiles.write(file, b);
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CRC_OFFSET);
        return (int) crc.getValue();
    }
}
