package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.replicator.source.CutoverResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ext4 on a real loop device, files written while it replicates, cutover with --freeze on its
 * mount point; the target image must pass e2fsck and hold the same files. Needs root.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class Ext4LoopDeviceTest {
    private static final long DISK_BYTES = 128L << 20;

    @TempDir
    Path dir;

    @BeforeEach
    void needsLoopDevices() {
        String why = Shell.whyNoLoopDevices();
        assumeTrue(why == null, () -> "skipped: " + why);
    }

    @Test
    void shouldCutOverAFrozenExt4FileSystemToAnImageThatPassesFsck() throws Exception {
        Path mount = dir.resolve("mnt");
        try (LoopFs fs = new LoopFs(); Replication r = new Replication(dir)) {
            String device = fs.attach(dir.resolve("disk.img"), DISK_BYTES);
            fs.mkfsExt4(device);
            fs.mount(device, mount);
            writeFiles(mount, "before", 20, 1);
            r.startTarget();
            r.startSource(Path.of(device), "root");
            CompletableFuture<Void> busy = CompletableFuture.runAsync(() -> {
                try {
                    writeFiles(mount, "during", 40, 2);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ReplicationEndToEndTest.waitForInitialSync(r);
            busy.get(120, TimeUnit.SECONDS);
            writeFiles(mount, "last", 5, 3);
            CutoverResult result = r.source.cutover(List.of(mount), 120_000).get(180, TimeUnit.SECONDS);
            assertTrue(result.ok(), result.reason());
            assertEquals(result.volumes().get(0).checksumSource(), result.volumes().get(0).checksumTarget());
            Files.writeString(mount.resolve("after-thaw"), "the file system was thawed");

            Path image = r.targetImage("root");
            Shell.run("e2fsck", "-fn", image.toString());
            Path copy = dir.resolve("copy");
            String copyDevice = fs.attachReadOnly(image);
            fs.mount(copyDevice, copy, "ro", "noload");
            for (String prefix : new String[] {"before", "during", "last"}) {
                try (var files = Files.list(mount)) {
                    for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                        Replication.assertSameBytes(f, copy.resolve(f.getFileName()));
                    }
                }
            }
            assertTrue(Files.notExists(copy.resolve("after-thaw")));
        }
    }

    static void writeFiles(Path mount, String prefix, int count, long seed) throws Exception {
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[4096 * (1 + random.nextInt(256))];
            random.nextBytes(data);
            if (i % 2 == 0) {
                java.util.Arrays.fill(data, 0, data.length / 2, (byte) 'a');
            }
            Files.write(mount.resolve(prefix + "-" + i + ".bin"), data, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }
    }
}
