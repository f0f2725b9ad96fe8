package io.replicator.source.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Facts about block devices that {@link java.nio.channels.FileChannel} does not give: whether a
 * path is one and its size, read from {@code /sys/dev/block/MAJOR:MINOR/size}. Thread-safe.
 */
public final class BlockDevices {
    private static final long SECTOR_BYTES = 512;

    private BlockDevices() {
    }

    public static boolean isBlockDevice(Path path) throws IOException {
        return Files.readAttributes(path, "unix:mode").get("mode") instanceof Integer mode
                && (mode & 0170000) == 0060000;
    }

    /** The device number as {@code MAJOR:MINOR}, the way sysfs names it. */
    public static String deviceNumber(Path path) throws IOException {
        long rdev = ((Number) Files.getAttribute(path, "unix:rdev")).longValue();
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        return major + ":" + minor;
    }

    /** The size in bytes of the block device at {@code path}. */
    public static long sizeBytes(Path path) throws IOException {
        Path sys = Path.of("/sys/dev/block", deviceNumber(path), "size");
        String sectors = Files.readString(sys).trim();
        try {
            return Long.parseLong(sectors) * SECTOR_BYTES;
        } catch (NumberFormatException e) {
            throw new IOException("cannot read the size of " + path + " from " + sys + ": '" + sectors + "'", e);
        }
    }
}
