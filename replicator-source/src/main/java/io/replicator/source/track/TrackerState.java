package io.replicator.source.track;

import io.replicator.source.sys.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * What a source remembers about one volume between runs, beside its fingerprints: whether it
 * stopped cleanly, the dirty blocks the target does not hold yet, how far the initial copy got,
 * the last sequence the target acknowledged, and enough about the device to tell whether it was
 * written while the daemon was down.
 *
 * <pre>
 *  magic "RPST" u32 | version u16 | flags u16 (1 clean, 2 has dirty map, 4 kernel tracker)
 *  generation u64 | blockCount u64 | blockSizeBytes u32 | cursorBlock u64 | lastAckSequence u64
 *  deviceWrittenSectors i64 (-1: unknown) | bootId: u8 length + UTF-8
 *  dirty map: u32 length + bytes (one bit per block, see DirtyMap#toBytes)
 *  CRC32C u32 of every byte before it
 * </pre>
 * Big-endian. The file is replaced as a whole (write a temporary file, force it, rename it over
 * the old one, force the directory), and the checksum detects a torn or garbled file anyway: such
 * a file is reported, never trusted. Immutable.
 *
 * @param generation         incremented by every save; tells apart two saves in logs
 * @param clean              the daemon stopped cleanly after writing this (a crash leaves false)
 * @param kernel             the kernel tracker wrote it (a dirty map from the scan tracker means nothing)
 * @param cursorBlock        the initial copy's pass has read every block below this one
 * @param deviceWrittenSectors sectors written and discarded on the device by the time it stopped, -1 if unknown
 * @param bootId             the kernel's boot id when it was written
 * @param dirty              the dirty map, or null when none was saved
 */
public record TrackerState(long generation, boolean clean, boolean kernel, long blockCount, int blockSizeBytes,
                           long cursorBlock, long lastAckSequence, long deviceWrittenSectors, String bootId,
                           byte[] dirty) {
    static final int MAGIC = 0x52505354; // "RPST"
    static final int VERSION = 1;
    private static final int CLEAN = 1;
    private static final int HAS_DIRTY = 2;
    private static final int KERNEL = 4;
    private static final int MAX_BOOT_ID_BYTES = 64;

    /** What {@link #load} found: a state, or why there is none (null problem with null state: first start). */
    public record Loaded(TrackerState state, String problem) {
    }

    /** The state file of volume {@code name} in {@code stateDir}. */
    public static Path file(Path stateDir, String name) {
        return stateDir.resolve(name + ".state");
    }

    /** Reads {@code file}; a missing file is a first start, anything unreadable is a problem named in words. */
    public static Loaded load(Path file, long blockCount, int blockSizeBytes) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Loaded(null, null);
        }
        String problem = check(bytes);
        if (problem != null) {
            return new Loaded(null, "state file " + file + " is torn or garbled (" + problem + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, bytes.length - 4);
        in.getInt();
        in.getShort();
        int flags = in.getShort() & 0xFFFF;
        long generation = in.getLong();
        long blocks = in.getLong();
        int blockSize = in.getInt();
        long cursor = in.getLong();
        long lastAck = in.getLong();
        long sectors = in.getLong();
        byte[] boot = new byte[in.get() & 0xFF];
        in.get(boot);
        byte[] dirty = new byte[in.getInt()];
        in.get(dirty);
        if (blocks != blockCount || blockSize != blockSizeBytes) {
            return new Loaded(null, String.format("state file %s was written for %d blocks of %d bytes, the volume "
                    + "now has %d blocks of %d bytes", file, blocks, blockSize, blockCount, blockSizeBytes));
        }
        return new Loaded(new TrackerState(generation, (flags & CLEAN) != 0, (flags & KERNEL) != 0, blocks, blockSize,
                cursor, lastAck, sectors, new String(boot, StandardCharsets.UTF_8),
                (flags & HAS_DIRTY) != 0 ? dirty : null), null);
    }

    private static String check(byte[] bytes) {
        int fixed = 4 + 2 + 2 + 8 + 8 + 4 + 8 + 8 + 8 + 1;
        if (bytes.length < fixed + 4 + 4) {
            return bytes.length + " bytes, shorter than any state file";
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.getInt() != MAGIC) {
            return "bad magic";
        }
        int version = in.getShort() & 0xFFFF;
        if (version != VERSION) {
            return "version " + version + ", expected " + VERSION;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if ((int) crc.getValue() != stored) {
            return "checksum mismatch";
        }
        int bootLength = bytes[fixed - 1] & 0xFF;
        if (fixed + bootLength + 4 + 4 > bytes.length) {
            return "boot id runs past the end";
        }
        int dirtyLength = ByteBuffer.wrap(bytes, fixed + bootLength, 4).getInt();
        if (dirtyLength < 0 || (long) fixed + bootLength + 4 + dirtyLength + 4 != bytes.length) {
            return "dirty map length " + dirtyLength + " does not match the file size " + bytes.length;
        }
        return null;
    }

    /** Replaces {@code file} with this state, atomically and durably. */
    public void save(Path file) throws IOException {
        byte[] boot = bootId.getBytes(StandardCharsets.UTF_8);
        if (boot.length > MAX_BOOT_ID_BYTES) {
            throw new IllegalArgumentException("boot id of " + boot.length + " bytes, at most " + MAX_BOOT_ID_BYTES);
        }
        int dirtyLength = dirty == null ? 0 : dirty.length;
        ByteBuffer out = ByteBuffer.allocate(4 + 2 + 2 + 8 + 8 + 4 + 8 + 8 + 8 + 1 + boot.length + 4 + dirtyLength + 4);
        out.putInt(MAGIC).putShort((short) VERSION)
                .putShort((short) ((clean ? CLEAN : 0) | (dirty != null ? HAS_DIRTY : 0) | (kernel ? KERNEL : 0)));
        out.putLong(generation).putLong(blockCount).putInt(blockSizeBytes).putLong(cursorBlock)
                .putLong(lastAckSequence).putLong(deviceWrittenSectors);
        out.put((byte) boot.length).put(boot).putInt(dirtyLength);
        if (dirty != null) {
            out.put(dirty);
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        out.flip();
        DurableFiles.write(file, out);
    }
}
