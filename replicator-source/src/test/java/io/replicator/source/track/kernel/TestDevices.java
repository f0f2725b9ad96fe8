package io.replicator.source.track.kernel;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Loop devices, partition tables, device-mapper devices and mounts for a test, undone newest
 * first on {@link #close()} even when the test failed; a failing undo step is reported after
 * the others ran. Not thread-safe: one per test.
 */
final class TestDevices implements AutoCloseable {
    private final Deque<String[]> undo = new ArrayDeque<>();

    /** Attaches a new sparse image of {@code sizeBytes}. */
    String attach(Path image, long sizeBytes) throws IOException, InterruptedException {
        return attach(image, sizeBytes, List.of());
    }

    /**
     * Attaches a new sparse image of {@code sizeBytes} with an MBR partition table holding one
     * primary partition per {start, sizeSectors} pair, which the kernel scans (losetup --partscan)
     * or, when it has no MBR parser, is told about with partx.
     */
    String attach(Path image, long sizeBytes, List<long[]> partitions) throws IOException, InterruptedException {
        try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(sizeBytes);
            if (!partitions.isEmpty()) {
                raf.write(mbr(partitions));
            }
        }
        String device = Sh.run("losetup", "--find", "--show", "--partscan", image.toString());
        undo.push(new String[] {"losetup", "--detach", device});
        if (!partitions.isEmpty() && !Files.exists(Path.of("/sys/class/block", Path.of(device).getFileName() + "p1"))) {
            Sh.run("partx", "--add", device); // a kernel without the MBR parser still takes partitions from user space
        }
        return device;
    }

    /** 446 bytes of (no) boot code, four 16-byte entries (type at +4, first sector at +8, sectors at +12), 0x55 0xaa. */
    private static byte[] mbr(List<long[]> partitions) {
        ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < partitions.size(); i++) {
            int entry = 446 + 16 * i;
            mbr.put(entry + 4, (byte) 0x83);
            mbr.putInt(entry + 8, (int) partitions.get(i)[0]);
            mbr.putInt(entry + 12, (int) partitions.get(i)[1]);
        }
        mbr.put(510, (byte) 0x55).put(511, (byte) 0xaa);
        return mbr.array();
    }

    /** Creates a linear device-mapper device over the whole of {@code device}; returns /dev/mapper/NAME. */
    String dmLinear(String name, String device, long sizeSectors) throws IOException, InterruptedException {
        Sh.run("dmsetup", "create", name, "--table", "0 " + sizeSectors + " linear " + device + " 0");
        undo.push(new String[] {"dmsetup", "remove", name});
        return "/dev/mapper/" + name;
    }

    void mkfsAndMount(String device, Path mountPoint) throws IOException, InterruptedException {
        Sh.run("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", device);
        Files.createDirectories(mountPoint);
        Sh.run("mount", device, mountPoint.toString());
        undo.push(new String[] {"umount", mountPoint.toString()});
    }

    @Override
    public void close() throws IOException, InterruptedException {
        IOException first = null;
        while (!undo.isEmpty()) {
            try {
                Sh.run(undo.pop());
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
