package io.replicator.source.track.kernel;

import io.replicator.source.volume.BlockDevices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What the kernel's block trace events say about a volume: they carry the device number of the
 * whole disk ({@code diskMajor:diskMinor}) and sectors counted from the start of that disk, so a
 * partition is found at {@code startSector} of its disk. Sectors are 512 bytes whatever the
 * device's logical block size. Immutable.
 *
 * @param name        the kernel's name of the device (loop0p1, dm-0, sda1)
 * @param diskMajor   major number of the whole disk the events carry
 * @param diskMinor   minor number of the whole disk the events carry
 * @param startSector first sector of the volume on that disk; 0 for a whole disk
 * @param sizeSectors size of the volume in 512-byte sectors
 */
public record BlockDeviceInfo(String name, int diskMajor, int diskMinor, long startSector, long sizeSectors) {
    public static final int SECTOR_BYTES = 512;
    private static final Path SYS_DEV_BLOCK = Path.of("/sys/dev/block");

    /** Resolves a device node (/dev/loop0, /dev/sda1, /dev/mapper/x, /dev/dm-0) through sysfs. */
    public static BlockDeviceInfo of(Path device) throws IOException {
        try {
            if (!BlockDevices.isBlockDevice(device)) {
                throw new IOException(device + " is not a block device: the kernel tracker follows block devices only");
            }
        } catch (NoSuchFileException e) {
            throw new IOException(device + " does not exist", e);
        }
        String number = BlockDevices.deviceNumber(device);
        Path sys = SYS_DEV_BLOCK.resolve(number);
        if (!Files.exists(sys)) {
            throw new IOException(device + " is block device " + number + " but " + sys + " does not exist");
        }
        Path real = sys.toRealPath();
        long sizeSectors = readLong(real.resolve("size"));
        String name = real.getFileName().toString();
        if (!Files.exists(real.resolve("partition"))) {
            int[] mm = parseNumber(number, sys);
            return new BlockDeviceInfo(name, mm[0], mm[1], 0, sizeSectors);
        }
        Path disk = real.getParent();
        int[] mm = parseNumber(Files.readString(disk.resolve("dev")).trim(), disk.resolve("dev"));
        return new BlockDeviceInfo(name, mm[0], mm[1], readLong(real.resolve("start")), sizeSectors);
    }

    /** The device number the way a trace event filter compares it: {@code (major << 20) | minor}. */
    public long kernelDev() {
        return ((long) diskMajor << 20) | diskMinor;
    }

    public long sizeBytes() {
        return sizeSectors * SECTOR_BYTES;
    }

    public long startByte() {
        return startSector * SECTOR_BYTES;
    }

    private static int[] parseNumber(String number, Path source) throws IOException {
        int colon = number.indexOf(':');
        try {
            return new int[] {Integer.parseInt(number.substring(0, colon)), Integer.parseInt(number.substring(colon + 1))};
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new IOException("cannot read a device number MAJOR:MINOR from " + source + ": '" + number + "'", e);
        }
    }

    private static long readLong(Path file) throws IOException {
        String text = Files.readString(file).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("cannot read a number from " + file + ": '" + text + "'", e);
        }
    }
}
