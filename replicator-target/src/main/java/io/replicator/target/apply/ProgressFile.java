package io.replicator.target.apply;

import io.replicator.target.internal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file {@code DATA_DIR/ID/progress}: the highest sequence of source ID that is durable on its
 * volumes. A session's first write replaces it atomically (write {@code progress.tmp}, force it,
 * rename it over {@code progress}, force the directory); every later one overwrites its 20 bytes in
 * place and forces the file's data ({@code fdatasync}): the same bytes of the same allocated block,
 * so no rename, no directory and no file-system journal commit per group commit, which cost 32
 * busy sessions more than forcing their images. A crash leaves the old or the new value: the record
 * lies in the file's first sector, which a device writes whole.
 *
 * <pre>
 *  0        4         6          8                  16       20
 *  +--------+---------+----------+------------------+--------+
 *  | magic  | version | reserved | durableSequence  | crc32c |
 *  | u32    | u16     | u16=0    | u64              | u32    |
 *  +--------+---------+----------+------------------+--------+
 * </pre>
 * Big-endian; magic is ASCII {@code "RPRG"}; the CRC32C covers bytes 0-15. A missing file means a
 * new source (0). A torn or garbled file is logged and read as 0: the source then resends from the
 * start, which costs time and never data. Not thread-safe: read by the session's apply thread at
 * its start, then written by its force thread alone; {@link #close} after the last write.
 */
public final class ProgressFile implements AutoCloseable {
    public static final int MAGIC = 0x52505247;
    public static final int VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int RESERVED_OFFSET = 6;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int CRC_OFFSET = 16;
    public static final int LENGTH = 20;
    public static final String FILE_NAME = "progress";

    private static final Logger log = LoggerFactory.getLogger(ProgressFile.class);

    private final Path file;
    private final ByteBuffer buffer = ByteBuffer.allocate(LENGTH);
    /** The file as this object last replaced it, open for writing in place; null before that. */
    private FileChannel channel;

    public ProgressFile(Path sourceDir) {
        this.file = sourceDir.resolve(FILE_NAME);
    }

    public Path path() {
        return file;
    }

    /** The durable sequence recorded, 0 when the file is missing, torn or garbled. */
    public long read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
        String problem = check(bytes);
        if (problem != null) {
            log.warn("progress file {} is unreadable ({}); treating the durable sequence as 0, the source resends "
                    + "from its start", file, problem);
            return 0;
        }
        return ByteBuffer.wrap(bytes).getLong(SEQUENCE_OFFSET);
    }

    /** Durably records {@code durableSequence}; returns once it is on stable storage. */
    public void write(long durableSequence) throws IOException {
        buffer.clear();
        buffer.putInt(MAGIC_OFFSET, MAGIC).putShort(VERSION_OFFSET, (short) VERSION)
                .putShort(RESERVED_OFFSET, (short) 0).putLong(SEQUENCE_OFFSET, durableSequence);
        buffer.putInt(CRC_OFFSET, crc(buffer.array()));
        if (channel == null) {
            DurableFiles.write(file, buffer);
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
            return;
        }
        try {
            for (long position = 0; buffer.hasRemaining(); ) {
                position += channel.write(buffer, position);
            }
            channel.force(false);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** Closes the file kept open for writing in place, if any; the next write replaces it again. */
    @Override
    public void close() throws IOException {
        FileChannel c = channel;
        channel = null;
        if (c != null) {
            c.close();
        }
    }

    private static String check(byte[] bytes) {
        if (bytes.length != LENGTH) {
            return String.format("length %d bytes (expected: %d)", bytes.length, LENGTH);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(MAGIC_OFFSET) != MAGIC) {
            return String.format("magic 0x%08x (expected: 0x%08x)", b.getInt(MAGIC_OFFSET), MAGIC);
        }
        if (b.getShort(VERSION_OFFSET) != VERSION) {
            return String.format("version %d (expected: %d)", b.getShort(VERSION_OFFSET), VERSION);
        }
        if (b.getInt(CRC_OFFSET) != crc(bytes)) {
            return String.format("crc32c 0x%08x (expected: 0x%08x)", b.getInt(CRC_OFFSET), crc(bytes));
        }
        if (b.getLong(SEQUENCE_OFFSET) < 0) {
            return "negative sequence " + b.getLong(SEQUENCE_OFFSET);
        }
        return null;
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CRC_OFFSET);
        return (int) crc.getValue();
    }
}
