package io.replicator.target.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeviceSizeTest {
    @TempDir
    Path dir;

    /** glibc's makedev(). */
    private static long makedev(long major, long minor) {
        return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
    }

    @Test
    void shouldSplitDeviceNumbersLikeGlibc() {
        for (long[] mm : new long[][] {{8, 1}, {7, 0}, {259, 3}, {253, 300_000}, {4095, 255}, {70_000, 1 << 20}}) {
            long rdev = makedev(mm[0], mm[1]);
            assertEquals(mm[0], DeviceSize.major(rdev), "major of " + mm[0] + ":" + mm[1]);
            assertEquals(mm[1], DeviceSize.minor(rdev), "minor of " + mm[0] + ":" + mm[1]);
        }
    }

    @Test
    void shouldReadTheSectorCountOfABlockDeviceFromSysfs() throws IOException {
        Path entry = Files.createDirectories(dir.resolve("259:3"));
        Files.writeString(entry.resolve("size"), "2097152\n");
        assertEquals(2097152L * 512, DeviceSize.blockDeviceSizeBytes(makedev(259, 3), dir));
    }

    @Test
    void shouldSizeARegularFileByItsLength() throws IOException {
        Path file = Files.write(dir.resolve("disk.raw"), new byte[12345]);
        assertEquals(12345, DeviceSize.sizeBytes(file));
    }

    @Test
    void shouldRefuseWhatIsNeitherFileNorBlockDevice() {
        assertThrows(IOException.class, () -> DeviceSize.sizeBytes(dir));
    }

    @Test
    void shouldSizeARealBlockDeviceAsTheKernelDoes() throws IOException {
        Path loop = Path.of("/dev/loop0");
        Path sysfs = Path.of("/sys/class/block/loop0/size");
        assumeTrue(Files.exists(loop) && Files.exists(sysfs) && DeviceSize.isBlockDevice(loop), "no /dev/loop0");
        long expected = Long.parseLong(Files.readString(sysfs).trim()) * 512;
        assertEquals(expected, DeviceSize.sizeBytes(loop));
    }
}
