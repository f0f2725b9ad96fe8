package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.replicator.source.CutoverResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A cutover that cannot finish fails within its timeout, thaws, and says why. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CutoverFailureTest {
    @TempDir
    Path dir;

    @Test
    void shouldTimeOutAndSayTheTargetIsUnreachable() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 4L << 20, 1);
        try (Replication r = new Replication(dir)) {
            r.startTarget();
            r.startSource(volume, "disk0");
            r.source.sync().get(60, TimeUnit.SECONDS);
            r.target.close();
            CutoverResult result = r.source.cutover(List.of(), 2_000).get(30, TimeUnit.SECONDS);
            assertEquals("failed", result.result());
            assertFalse(result.verified());
            assertTrue(result.reason().contains("timed out after 2000 ms"), result.reason());
            assertTrue(result.reason().contains("unreachable"), result.reason());
            assertEquals("disconnected", r.source.status().state());
        }
    }

    @Test
    void shouldThawTheFileSystemWhenTheCutoverTimesOut() throws Exception {
        String why = Shell.whyNoLoopDevices();
        assumeTrue(why == null, () -> "skipped: " + why);
        Path mount = dir.resolve("mnt");
        try (LoopFs fs = new LoopFs(); Replication r = new Replication(dir)) {
            String device = fs.attach(dir.resolve("disk.img"), 64L << 20);
            fs.mkfsExt4(device);
            fs.mount(device, mount);
            r.startTarget();
            r.startSource(Path.of(device), "root");
            r.source.sync().get(60, TimeUnit.SECONDS);
            r.target.close();
            CutoverResult result = r.source.cutover(List.of(mount), 2_000).get(30, TimeUnit.SECONDS);
            assertEquals("failed", result.result());
            assertTrue(result.reason().contains("unreachable"), result.reason());
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try {
                    Files.writeString(mount.resolve("after"), "thawed");
                    Shell.run("sync", "-f", mount.resolve("after").toString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            write.get(20, TimeUnit.SECONDS);
            assertEquals("thawed", Files.readString(mount.resolve("after")));
        }
    }

    @Test
    void shouldFailWhenTheFreezeFailsAndSaySo() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 4L << 20, 1);
        try (Replication r = new Replication(dir)) {
            r.startTarget();
            r.startSource(volume, "disk0");
            Path notAMount = dir.resolve("no-such-mount");
            CutoverResult result = r.source.cutover(List.of(notAMount), 10_000).get(30, TimeUnit.SECONDS);
            assertEquals("failed", result.result());
            assertTrue(result.reason().startsWith("could not freeze"), result.reason());
            assertTrue(r.source.sync().get(60, TimeUnit.SECONDS).result().equals("ok"), "replication goes on");
        }
    }
}
