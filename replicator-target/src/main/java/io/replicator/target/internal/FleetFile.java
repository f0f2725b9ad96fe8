package io.replicator.target.internal;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The file {@code DATA_DIR/ID/fleet}: what the receiver's fleet view says of source ID across
 * restarts, when it was last heard from and, per volume, the bytes made durable here since it was
 * first seen. Bookkeeping, not data: it is replaced (written to {@code fleet.tmp}, renamed over
 * {@code fleet}) at most once a second and when a session ends, without forcing, so a crash may
 * cost the last second of these counters and never a replicated byte.
 *
 * <pre>
 *  0        4         6          8              16            20
 *  +--------+---------+----------+--------------+-------------+
 *  | magic  | version | reserved | lastSeenMs   | volumeCount |
 *  | u32    | u16     | u16=0    | u64          | u32         |
 *  +--------+---------+----------+--------------+-------------+
 *  then volumeCount times:
 *  +------------+------------+------------+------------+-----------+--------------+
 *  | nameLength | name       | pathLength | path       | sizeBytes | durableBytes |
 *  | u16        | UTF-8      | u16        | UTF-8      | u64       | u64          |
 *  +------------+------------+------------+------------+-----------+--------------+
 *  then a u32 CRC32C of every byte before it
 * </pre>
 * Big-endian; magic is ASCII {@code "RFLT"}. A missing file is a source never seen; a torn or
 * garbled one is read as missing (its counters start again from zero). Stateless and thread-safe;
 * each source's file is written by the threads of its session only, one at a time.
 */
public final class FleetFile {
    public static final int MAGIC = 0x52464c54;
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 20;
    public static final String FILE_NAME = "fleet";
    /** At most this many volumes, and names and paths of at most this many bytes: bounds a read. */
    public static final int MAX_VOLUMES = 4096;
    public static final int MAX_TEXT_BYTES = 4096;

    /** One volume: its name, where it is written, its size and the bytes made durable here. */
    public record Volume(String name, String path, long sizeBytes, long durableBytes) {
    }

    /** What the file holds. */
    public record Entry(long lastSeenMs, List<Volume> volumes) {
        public Entry {
            volumes = List.copyOf(volumes);
        }
    }

    private FleetFile() {
    }

    /** The entry in {@code sourceDir}, or null when there is none or it is torn or garbled. */
    public static Entry read(Path sourceDir) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(sourceDir.resolve(FILE_NAME));
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length < HEADER_LENGTH + 4) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != b.getInt(bytes.length - 4) || b.getInt() != MAGIC
                || b.getShort() != VERSION) {
            return null;
        }
        b.getShort();
        long lastSeenMs = b.getLong();
        int count = b.getInt();
        if (count < 0 || count > MAX_VOLUMES) {
            return null;
        }
        List<Volume> volumes = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                volumes.add(new Volume(text(b), text(b), b.getLong(), b.getLong()));
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
        return new Entry(lastSeenMs, volumes);
    }

    /** Replaces the entry in {@code sourceDir} with {@code entry}, without forcing it. */
    public static void write(Path sourceDir, Entry entry) throws IOException {
        int length = HEADER_LENGTH + 4;
        List<byte[]> texts = new ArrayList<>();
        for (Volume v : entry.volumes()) {
            byte[] name = bounded(v.name());
            byte[] path = bounded(v.path());
            texts.add(name);
            texts.add(path);
            length += 2 + name.length + 2 + path.length + 16;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).putLong(entry.lastSeenMs())
                .putInt(entry.volumes().size());
        for (int i = 0; i < entry.volumes().size(); i++) {
            Volume v = entry.volumes().get(i);
            b.putShort((short) texts.get(2 * i).length).put(texts.get(2 * i));
            b.putShort((short) texts.get(2 * i + 1).length).put(texts.get(2 * i + 1));
            b.putLong(v.sizeBytes()).putLong(v.durableBytes());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, length - 4);
        b.putInt((int) crc.getValue());
        Path temp = sourceDir.resolve(FILE_NAME + ".tmp");
        Files.write(temp, b.array());
        Files.move(temp, sourceDir.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] bounded(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("a volume name or path of " + bytes.length + " bytes (expected: at most "
                    + MAX_TEXT_BYTES + ")");
        }
        return bytes;
    }

    private static String text(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        if (n > MAX_TEXT_BYTES) {
            throw new IllegalArgumentException("text of " + n + " bytes");
        }
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
