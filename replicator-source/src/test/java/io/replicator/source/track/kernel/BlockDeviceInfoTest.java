package io.replicator.source.track.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BlockDeviceInfoTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseARegularFile() throws Exception {
        Path file = Files.writeString(dir.resolve("disk.img"), "not a disk");
        IOException e = assertThrows(IOException.class, () -> BlockDeviceInfo.of(file));
        assertEquals(file + " is not a block device: the kernel tracker follows block devices only", e.getMessage());
    }

    @Test
    void shouldRefuseAMissingPath() {
        Path missing = dir.resolve("nope");
        IOException e = assertThrows(IOException.class, () -> BlockDeviceInfo.of(missing));
        assertEquals(missing + " does not exist", e.getMessage());
    }

    @Test
    void shouldGiveTheDeviceNumberAsTraceFiltersCompareIt() {
        BlockDeviceInfo info = new BlockDeviceInfo("sdb1", 8, 17, 2048, 1000);
        assertEquals((8L << 20) | 17, info.kernelDev());
        assertEquals(2048 * 512L, info.startByte());
        assertEquals(1000 * 512L, info.sizeBytes());
    }
}
