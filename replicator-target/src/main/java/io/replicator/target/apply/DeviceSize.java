package io.replicator.target.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The size of what a volume is written onto. For a regular file its length; for a block device
 * (whose {@code FileChannel.size()} is 0) the kernel's sector count from
 * {@code /sys/dev/block/MAJOR:MINOR/size} times 512. Linux only. Thread-safe (stateless).
 */
public final class DeviceSize {
    public static final int SECTOR_BYTES = 512;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;

    private DeviceSize() {
    }

    /** Bytes {@code path} holds; an IOException when it is neither a regular file nor a block device. */
    public static long sizeBytes(Path path) throws IOException {
        int type = (Integer) Files.getAttribute(path, "unix:mode") & S_IFMT;
        if (type == S_IFREG) {
            return Files.size(path);
        }
        if (type == S_IFBLK) {
            return blockDeviceSizeBytes((Long) Files.getAttribute(path, "unix:rdev"), Path.of("/sys/dev/block"));
        }
        throw new IOException(path + " is neither a regular file nor a block device");
    }

    public static boolean isBlockDevice(Path path) throws IOException {
        return ((Integer) Files.getAttribute(path, "unix:mode") & S_IFMT) == S_IFBLK;
    }

    /** Size of the block device numbered {@code rdev}, read from {@code sysDevBlock/MAJOR:MINOR/size}. */
    static long blockDeviceSizeBytes(long rdev, Path sysDevBlock) throws IOException {
        Path sizeFile = sysDevBlock.resolve(major(rdev) + ":" + minor(rdev)).resolve("size");
        String text = Files.readString(sizeFile).trim();
        try {
            return Math.multiplyExact(Long.parseLong(text), SECTOR_BYTES);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IOException("unreadable sector count '" + text + "' in " + sizeFile, e);
        }
    }

    /** The major number of a Linux {@code dev_t}, as glibc's {@code major()} computes it. */
    static long major(long rdev) {
        return ((rdev & 0xfff00L) >>> 8) | ((rdev & 0xfffff00000000000L) >>> 32);
    }

    /** The minor number of a Linux {@code dev_t}, as glibc's {@code minor()} computes it. */
    static long minor(long rdev) {
        return (rdev & 0xffL) | ((rdev & 0xffffff00000L) >>> 12);
    }
}
