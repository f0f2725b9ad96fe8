package io.replicator.source.track.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A block device as its trace events name it: events carry the whole disk's device number and
 * absolute sectors, so a partition is its disk's device plus a start sector. Immutable.
 *
 * @param path        the device node the admin gave
 * @param name        the kernel's name (loop0, sda1, dm-0)
 * @param diskMajor   major number of the disk the events carry
 * @param diskMinor   minor number of the disk the events carry
 * @param startSector first sector of the device on that disk (0 for a whole disk)
 * @param sizeSectors size in 512-byte sectors
 */
public record BlockDeviceInfo(Path path, String name, int diskMajor, int diskMinor, long startSector,
                              long sizeSectors) {
    static final Path SYS_DEV_BLOCK = Path.of("/sys/dev/block");

    /** The device number as the trace events' {@code dev} field holds it (major << 20 | minor). */
    public long kernelDev() {
        return ((long) diskMajor << 20) | diskMinor;
    }

    /** Looks {@code path} up in sysfs; fails with a message naming the path when it is not a block device. */
    public static BlockDeviceInfo of(Path path) throws IOException {
        long rdev = ((Number) Files.getAttribute(path, "unix:rdev")).longValue();
        if (rdev == 0 || Files.isRegularFile(path) || Files.isDirectory(path)) {
            throw new IOException(path + " is not a block device");
        }
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        Path sys = SYS_DEV_BLOCK.resolve(major + ":" + minor);
        if (!Files.isDirectory(sys)) {
            throw new IOException(path + " (" + major + ":" + minor + ") is not a block device known to sysfs");
        }
        Path dir = sys.toRealPath();
        long size = Long.parseLong(Files.readString(dir.resolve("size")).trim());
        if (Files.exists(dir.resolve("partition"))) {
            long start = Long.parseLong(Files.readString(dir.resolve("start")).trim());
            int[] disk = parseDev(Files.readString(dir.getParent().resolve("dev")).trim());
            return new BlockDeviceInfo(path, dir.getFileName().toString(), disk[0], disk[1], start, size);
        }
        return new BlockDeviceInfo(path, dir.getFileName().toString(), (int) major, (int) minor, 0, size);
    }

    private static int[] parseDev(String majorMinor) throws IOException {
        int colon = majorMinor.indexOf(':');
        if (colon < 0) {
            throw new IOException("unexpected device number '" + majorMinor + "' in sysfs");
        }
        return new int[] {Integer.parseInt(majorMinor.substring(0, colon)),
                Integer.parseInt(majorMinor.substring(colon + 1))};
    }
}
