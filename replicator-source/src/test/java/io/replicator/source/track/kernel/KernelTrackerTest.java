package io.replicator.source.track.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.replicator.source.track.DirtyMap;
import io.replicator.source.track.kernel.KernelTracker.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real loop devices, partitions, ext4 and device-mapper, traced by the kernel; needs root. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KernelTrackerTest {
    private static final int BLOCK_BYTES = 65536;
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;
    private final TestDevices devices = new TestDevices();
    private final List<KernelTracker> trackers = new ArrayList<>();
    private final List<String> losses = new CopyOnWriteArrayList<>();

    @BeforeEach
    void requireKernelTracing() {
        String reason = TraceFs.unavailableReason();
        assumeTrue(reason == null, () -> "skipped: kernel block tracing is unavailable: " + reason);
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            for (KernelTracker t : trackers) {
                t.close();
            }
        } finally {
            devices.close();
        }
    }

    @Test
    void shouldMarkExactlyTheBlocksOfDirectWritesAndNotReads() throws Exception {
        String loop = devices.attach(dir.resolve("disk.img"), 64 * MIB);
        DirtyMap map = mapFor(loop);
        KernelTracker tracker = track("direct", new Volume(BlockDeviceInfo.of(Path.of(loop)), map));
        Sh.run("dd", "if=" + loop, "of=/dev/null", "bs=1M", "count=64", "iflag=direct", "status=none");
        writeDirect(loop, 0, 4096);
        writeDirect(loop, 5 * BLOCK_BYTES + 8192, 4096);
        writeDirect(loop, 10 * BLOCK_BYTES - 4096, 8192);
        writeDirect(loop, 64 * MIB - 512, 512);
        tracker.sync().get();
        assertEquals(List.of(0L, 5L, 9L, 10L, 1023L), dirtyBlocks(map));
        assertTrue(tracker.eventsRead() >= 4, "events read: " + tracker.eventsRead());
        assertEquals(List.of(), losses);
    }

    @Test
    void shouldHaveEveryWriteOfEveryCpuMarkedWhenASyncCompletes() throws Exception {
        String loop = devices.attach(dir.resolve("cpus.img"), 64 * MIB);
        DirtyMap map = mapFor(loop);
        KernelTracker tracker = track("cpus", new Volume(BlockDeviceInfo.of(Path.of(loop)), map));
        BitSet online = Cpus.online();
        List<Long> expected = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<Process> writers = new ArrayList<>();
            for (int cpu = online.nextSetBit(0); cpu >= 0; cpu = online.nextSetBit(cpu + 1)) {
                long block = round * 256L + cpu * 4L;
                expected.add(block);
                writers.add(new ProcessBuilder("taskset", "-c", Integer.toString(cpu), "dd", "if=/dev/urandom", "of=" + loop,
                        "bs=4096", "count=1", "seek=" + block * BLOCK_BYTES, "oflag=direct,seek_bytes", "conv=notrunc",
                        "status=none").inheritIO().start());
            }
            for (Process w : writers) {
                assertEquals(0, w.waitFor());
            }
            tracker.sync().get();
            assertEquals(expected.stream().sorted().toList(), dirtyBlocks(map), "round " + round);
        }
        assertEquals(List.of(), losses);
    }

    @Test
    void shouldMarkDiscardedAndZeroedBlocks() throws Exception {
        String loop = devices.attach(dir.resolve("discard.img"), 64 * MIB);
        DirtyMap map = mapFor(loop);
        KernelTracker tracker = track("discard", new Volume(BlockDeviceInfo.of(Path.of(loop)), map));
        Sh.run("blkdiscard", "--offset", Long.toString(16L * BLOCK_BYTES), "--length", Long.toString(2L * BLOCK_BYTES), loop);
        Sh.run("blkdiscard", "--zeroout", "--offset", Long.toString(40L * BLOCK_BYTES), "--length",
                Long.toString(BLOCK_BYTES), loop);
        tracker.sync().get();
        assertEquals(List.of(16L, 17L, 40L), dirtyBlocks(map));
        assertEquals(List.of(), losses);
    }

    @Test
    void shouldMarkTheBlocksOfAFileWrittenThroughExt4() throws Exception {
        String loop = devices.attach(dir.resolve("fs.img"), 128 * MIB);
        Path mount = dir.resolve("mnt");
        devices.mkfsAndMount(loop, mount);
        DirtyMap map = mapFor(loop);
        KernelTracker tracker = track("ext4", new Volume(BlockDeviceInfo.of(Path.of(loop)), map));
        Path file = mount.resolve("data.bin");
        byte[] data = new byte[(int) (3 * MIB)];
        new java.util.Random(42).nextBytes(data);
        Files.write(file, data);
        Sh.run("sync");
        tracker.sync().get();
        assertTrue(map.count() > 0);
        for (long[] extent : physicalExtentsBytes(file)) {
            for (long b = extent[0] / BLOCK_BYTES; b <= (extent[1] - 1) / BLOCK_BYTES; b++) {
                assertTrue(map.isDirty(b), "block " + b + " of extent " + extent[0] + "-" + extent[1] + " is not marked");
            }
        }
        assertEquals(List.of(), losses);
    }

    @Test
    void shouldMarkBlocksRelativeToThePartitionTheyFellIn() throws Exception {
        String loop = devices.attach(dir.resolve("parts.img"), 64 * MIB,
                List.of(new long[] {2048, 40960}, new long[] {43008, 40960}));
        BlockDeviceInfo p1 = awaitPartition(loop + "p1");
        BlockDeviceInfo p2 = awaitPartition(loop + "p2");
        BlockDeviceInfo disk = BlockDeviceInfo.of(Path.of(loop));
        assertEquals(2048, p1.startSector());
        assertEquals(40960, p1.sizeSectors());
        assertEquals(disk.kernelDev(), p1.kernelDev());
        DirtyMap map1 = DirtyMap.forVolume(p1.sizeBytes(), BLOCK_BYTES);
        DirtyMap map2 = DirtyMap.forVolume(p2.sizeBytes(), BLOCK_BYTES);
        KernelTracker tracker = track("parts", new Volume(p1, map1), new Volume(p2, map2));
        writeDirect(loop + "p1", BLOCK_BYTES, 4096);
        writeDirect(loop + "p2", 3 * BLOCK_BYTES, 4096);
        writeDirect(loop, 64 * MIB - BLOCK_BYTES, 4096);
        tracker.sync().get();
        assertEquals(List.of(1L), dirtyBlocks(map1));
        assertEquals(List.of(3L), dirtyBlocks(map2));
        assertEquals(List.of(), losses);
    }

    @Test
    void shouldMarkDeviceMapperWritesThroughBioCompletions() throws Exception {
        assumeTrue(Sh.has("dmsetup"), "skipped: dmsetup is not installed (package dmsetup)");
        assumeTrue(Files.readString(Path.of("/proc/devices")).contains("device-mapper"),
                "skipped: this kernel has no device-mapper (no 'device-mapper' in /proc/devices)");
        String loop = devices.attach(dir.resolve("dm.img"), 32 * MIB);
        String dm = devices.dmLinear("replicator-test-" + ProcessHandle.current().pid(), loop, 32 * MIB / 512);
        BlockDeviceInfo info = BlockDeviceInfo.of(Path.of(dm));
        DirtyMap map = DirtyMap.forVolume(info.sizeBytes(), BLOCK_BYTES);
        KernelTracker tracker = track("dm", new Volume(info, map));
        writeDirect(dm, 7 * BLOCK_BYTES, 4096);
        tracker.sync().get();
        assertEquals(List.of(7L), dirtyBlocks(map));
    }

    @Test
    void shouldReportLossWhenTheKernelOverrunsATinyBuffer() throws Exception {
        String loop = devices.attach(dir.resolve("loss.img"), 16 * MIB);
        CompletableFuture<String> loss = new CompletableFuture<>();
        KernelTracker tracker = KernelTracker.start("loss", List.of(new Volume(BlockDeviceInfo.of(Path.of(loop)), mapFor(loop))),
                4, loss::complete);
        trackers.add(tracker);
        while (!loss.isDone()) {
            Sh.run("sh", "-c", "for i in 1 2 3 4; do dd if=/dev/zero of=" + loop
                    + " bs=512 count=4000 oflag=direct status=none & done; wait");
        }
        assertTrue(loss.get().matches("the kernel (dropped \\d+|lost) block events.*"), loss.get());
        tracker.sync().get();
        assertTrue(tracker.lostEvents() > 0);
    }

    @Test
    void shouldRemoveItsInstanceOnCloseAndRefuseSyncAfter() throws Exception {
        String loop = devices.attach(dir.resolve("close.img"), 8 * MIB);
        KernelTracker tracker = KernelTracker.start("close test", List.of(new Volume(BlockDeviceInfo.of(Path.of(loop)), mapFor(loop))),
                KernelTracker.DEFAULT_BUFFER_SIZE_KB, losses::add);
        Path instance = tracker.instance().dir();
        assertEquals("replicator-close_test-" + ProcessHandle.current().pid(), instance.getFileName().toString());
        assertTrue(Files.isDirectory(instance));
        tracker.close();
        assertFalse(Files.exists(instance));
        ExecutionException e = assertThrows(ExecutionException.class, () -> tracker.sync().get());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(List.of(), losses);
    }

    private KernelTracker track(String name, Volume... volumes) throws IOException {
        KernelTracker tracker = KernelTracker.start(name, List.of(volumes), KernelTracker.DEFAULT_BUFFER_SIZE_KB, losses::add);
        trackers.add(tracker);
        return tracker;
    }

    private static DirtyMap mapFor(String device) throws IOException {
        return DirtyMap.forVolume(BlockDeviceInfo.of(Path.of(device)).sizeBytes(), BLOCK_BYTES);
    }

    private static void writeDirect(String device, long offset, int length) throws IOException, InterruptedException {
        Sh.run("dd", "if=/dev/urandom", "of=" + device, "bs=" + length, "count=1", "seek=" + offset,
                "oflag=direct,seek_bytes", "conv=notrunc", "status=none");
    }

    private static BlockDeviceInfo awaitPartition(String device) throws IOException, InterruptedException {
        while (!Files.exists(Path.of(device))) {
            Thread.sleep(20);
        }
        return BlockDeviceInfo.of(Path.of(device));
    }

    private static List<Long> dirtyBlocks(DirtyMap map) {
        List<Long> out = new ArrayList<>();
        for (long b = map.nextDirty(0); b >= 0; b = map.nextDirty(b + 1)) {
            out.add(b);
        }
        return out;
    }

    /** The file's extents on the device as [startByte, endByte), from filefrag -v. */
    private static List<long[]> physicalExtentsBytes(Path file) throws IOException, InterruptedException {
        String out = Sh.run("filefrag", "-v", file.toString());
        Matcher size = Pattern.compile("blocks of (\\d+) bytes").matcher(out);
        assertTrue(size.find(), out);
        long fsBlock = Long.parseLong(size.group(1));
        Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\.\\.\\s*\\d+:\\s+(\\d+)\\.\\.\\s*(\\d+):").matcher(out);
        List<long[]> extents = new ArrayList<>();
        while (m.find()) {
            extents.add(new long[] {Long.parseLong(m.group(1)) * fsBlock, (Long.parseLong(m.group(2)) + 1) * fsBlock});
        }
        assertFalse(extents.isEmpty(), out);
        return extents;
    }
}
