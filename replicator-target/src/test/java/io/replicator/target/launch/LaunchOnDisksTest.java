package io.replicator.target.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches on real file systems and devices (root: loop devices and mounts): on XFS with reflinks the
 * live image is cloned and the undo restored over the clone; a volume mapped to a block device is
 * written there whole (zeros included, the device's old contents being unknown); a device too small,
 * or one the receiver replicates onto, is refused.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LaunchOnDisksTest {
    private static final Logger log = LoggerFactory.getLogger(LaunchOnDisksTest.class);

    @TempDir
    Path tmp;

    private static void fill(UndoRig rig, SplittableRandom random, int writes) throws Exception {
        new LaunchEngineTest.Writes(rig, random).run(writes);
    }

    @Test
    void shouldCloneWithAReflinkOnXfsWhenLittleChangedAndCopyWhenMuchDid() throws Exception {
        Mounts.assumeRoot();
        assumeTrue(Mounts.installed("mkfs.xfs"), "skipped: mkfs.xfs is not installed (xfsprogs): no file system "
                + "with reflinks to try");
        long seed = System.nanoTime();
        log.info("seed {}", seed);
        try (Mounts mounts = new Mounts()) {
            Path mnt = tmp.resolve("xfs");
            mounts.mount(mounts.loop(tmp.resolve("xfs.img"), 512L << 20), mnt, "mkfs.xfs", "-q", "-f", "-m",
                    "reflink=1");
            // The undo queue (mapped by Chronicle Queue) stays off the mount so that it unmounts at once.
            try (UndoRig rig = new UndoRig(mnt.resolve("data"), tmp.resolve("journal"), "web1", 4096, 8L << 20)) {
                SplittableRandom random = new SplittableRandom(seed);
                fill(rig, random, 500);
                rig.checkpoint(1);
                fill(rig, random, 30); // about 135 blocks, under a tenth of the volume's 2048: worth a clone
                Path out = Files.createDirectories(mnt.resolve("launched"));
                LaunchResult result = new Launcher(rig, new PartialLedger(rig.dataDir))
                        .launch(new LaunchRequest("web1", "1", out, Map.of()));
                LaunchResult.Volume volume = result.volumes().get(0);
                assertEquals("reflink", volume.method());
                assertTrue(volume.restoredBytes() > 0);
                assertArrayEquals(rig.expected(1, 0), Files.readAllBytes(out.resolve("vol0.img")), "seed " + seed);

                fill(rig, random, 400); // now more than a tenth changed since: a copy in chunks writes less often
                Path again = Files.createDirectories(mnt.resolve("again"));
                LaunchResult.Volume copied = new Launcher(rig, new PartialLedger(rig.dataDir))
                        .launch(new LaunchRequest("web1", "1", again, Map.of())).volumes().get(0);
                assertEquals("sparse", copied.method());
                assertTrue(copied.restoredBytes() > 2048 * 4096 / 10, "restored " + copied.restoredBytes());
                assertArrayEquals(rig.expected(1, 0), Files.readAllBytes(again.resolve("vol0.img")), "seed " + seed);
            }
        }
    }

    @Test
    void shouldWriteAMappedDeviceWholeAndRefuseOneTooSmallOrReplicatedOnto() throws Exception {
        Mounts.assumeRoot();
        long seed = System.nanoTime();
        log.info("seed {}", seed);
        try (Mounts mounts = new Mounts();
             UndoRig rig = new UndoRig(tmp.resolve("data"), tmp.resolve("journal"), "web1", 4096, 4L << 20,
                     2L << 20)) {
            SplittableRandom random = new SplittableRandom(seed);
            fill(rig, random, 400);
            rig.checkpoint(1);
            fill(rig, random, 200);
            String device = mounts.loop(tmp.resolve("dev0.img"), 8L << 20);
            try (FileChannel garbage = FileChannel.open(Path.of(device), StandardOpenOption.WRITE)) {
                byte[] old = new byte[8 << 20];
                random.nextBytes(old);
                garbage.write(ByteBuffer.wrap(old), 0); // a used disk: its old bytes must not show through
                garbage.force(true);
            }
            Path out = Files.createDirectories(tmp.resolve("out"));
            Launcher launcher = new Launcher(rig, new PartialLedger(rig.dataDir));
            String small = mounts.loop(tmp.resolve("small.img"), 1L << 20);
            LaunchException tooSmall = assertThrows(LaunchException.class, () -> launcher.launch(
                    new LaunchRequest("web1", "1", out, Map.of("vol0", Path.of(small)))));
            assertEquals(400, tooSmall.status());
            assertTrue(tooSmall.getMessage().contains("the device holds 1048576 bytes, the volume needs 4194304"),
                    tooSmall.getMessage());
            String replicated = mounts.loop(tmp.resolve("replicated.img"), 4L << 20);
            rig.extraReceiverVolumes.add(Path.of(replicated));
            LaunchException ours = assertThrows(LaunchException.class, () -> launcher.launch(
                    new LaunchRequest("web1", "1", out, Map.of("vol0", Path.of(replicated)))));
            assertTrue(ours.getMessage().contains("is a volume the receiver replicates onto"), ours.getMessage());
            LaunchResult result = launcher.launch(new LaunchRequest("web1", "1", out, Map.of("vol0", Path.of(device))));
            assertEquals(device, result.volumes().get(0).path());
            assertEquals("sparse", result.volumes().get(0).method());
            byte[] onDevice = new byte[4 << 20];
            try (FileChannel read = FileChannel.open(Path.of(device), StandardOpenOption.READ)) {
                read.read(ByteBuffer.wrap(onDevice), 0);
            }
            assertArrayEquals(rig.expected(1, 0), onDevice, "seed " + seed);
            assertArrayEquals(rig.expected(1, 1), Files.readAllBytes(out.resolve("vol1.img")), "seed " + seed);
        }
    }
}
