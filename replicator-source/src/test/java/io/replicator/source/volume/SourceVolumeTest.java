package io.replicator.source.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SourceVolumeTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadAFileWithAShortLastBlock() throws Exception {
        byte[] data = new byte[3 * 4096 + 100];
        new Random(1).nextBytes(data);
        Path file = dir.resolve("v.img");
        Files.write(file, data);
        try (SourceVolume v = SourceVolume.open(file, "v")) {
            assertEquals(data.length, v.sizeBytes());
            ByteBuffer buf = SourceVolume.allocateAligned(1 << 20);
            ByteBuffer got = v.read(0, 1 << 20, buf);
            byte[] out = new byte[got.remaining()];
            got.get(out);
            assertArrayEquals(data, out);
            ByteBuffer tail = v.read(3 * 4096, 4096, buf);
            assertEquals(100, tail.remaining());
        }
    }

    @Test
    void shouldSeeAWriteThatLandedAfterAnEarlierRead() throws Exception {
        Path file = dir.resolve("v.img");
        Files.write(file, new byte[8192]);
        try (SourceVolume v = SourceVolume.open(file, "v")) {
            ByteBuffer buf = SourceVolume.allocateAligned(8192);
            assertEquals(0, v.read(0, 4096, buf).get(10));
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {7}), 10);
            }
            assertEquals(7, v.read(0, 4096, buf).get(10));
        }
    }

    @Test
    void shouldRefuseAMissingVolumeByName() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> SourceVolume.open(dir.resolve("nope"), "nope"));
        assertEquals(dir.resolve("nope").toString(), e.getFile());
    }

    @Test
    void shouldRefuseADirectory() {
        IOException e = assertThrows(IOException.class, () -> SourceVolume.open(dir, "d"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("neither a block device nor a regular file"));
    }

    @Test
    void shouldSizeABlockDeviceFromSysfs() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to attach a loop device");
        assumeTrue(Files.exists(Path.of("/dev/loop-control")), "no /dev/loop-control on this machine");
        Path image = dir.resolve("loop.img");
        try (var raf = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(24L << 20);
        }
        String device = run("losetup", "--find", "--show", image.toString());
        try {
            try (SourceVolume v = SourceVolume.open(Path.of(device), "loop")) {
                assertEquals(true, v.isBlockDevice());
                assertEquals(24L << 20, v.sizeBytes());
                assertEquals(true, v.isDirect());
            }
        } finally {
            run("losetup", "--detach", device);
        }
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
