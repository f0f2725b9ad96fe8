package io.replicator.source.track;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's own count of what was written to a block device: sectors written plus sectors
 * discarded since boot, from {@code /sys/dev/block/MAJOR:MINOR/stat}, and the boot id that makes
 * two counts comparable. A source compares the count it saved at a clean stop with the count at
 * its next start: equal counts in the same boot mean nobody wrote to the device meanwhile, so the
 * saved dirty map is still the whole truth. Thread-safe (stateless).
 */
public final class DeviceWrites {
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    /** Field indexes in the stat file: sectors written, sectors discarded (Documentation/block/stat.rst). */
    private static final int WRITE_SECTORS = 6;
    private static final int DISCARD_SECTORS = 13;

    private DeviceWrites() {
    }

    /** Sectors written and discarded on {@code device} since boot, or -1 when it is not a block device or unknown. */
    public static long sectors(Path device) {
        try {
            Object rdev = Files.getAttribute(device, "unix:rdev");
            long dev = ((Number) rdev).longValue();
            if (dev == 0) {
                return -1;
            }
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            String[] fields = Files.readString(Path.of("/sys/dev/block/" + major + ":" + minor + "/stat"))
                    .trim().split("\\s+");
            long sectors = Long.parseLong(fields[WRITE_SECTORS]);
            if (fields.length > DISCARD_SECTORS) {
                sectors += Long.parseLong(fields[DISCARD_SECTORS]);
            }
            return sectors;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The kernel's boot id, or an empty string when it cannot be read. */
    public static String bootId() {
        try {
            return Files.readString(BOOT_ID).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
