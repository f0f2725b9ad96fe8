package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.replicator.source.CutoverResult;
import io.replicator.source.Outcome;
import io.replicator.source.SourceDaemon;
import io.replicator.source.SourceState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A cutover that cannot finish is refused before it freezes anything, or fails, thaws and says why. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CutoverFailureTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseAtOnceWhenTheTargetIsDown() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 4L << 20, 1);
        try (Replication r = new Replication(dir)) {
            r.startTarget();
            r.startSource(volume, "disk0");
            r.source.sync().get(60, TimeUnit.SECONDS);
            r.target.close();
            long startNs = System.nanoTime();
            CutoverResult result = r.source.cutover(List.of(), 60_000).get(30, TimeUnit.SECONDS);
            assertEquals(Outcome.FAILED, result.result());
            assertFalse(result.verified());
            assertTrue(result.reason().contains("target"), result.reason());
            assertTrue(result.reason().endsWith("nothing was frozen"), result.reason());
            assertEquals(CutoverResult.FileSystems.NONE, result.fileSystems());
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs) < 30, "not the 60 s timeout");
            assertEquals(SourceState.DISCONNECTED, r.source.status().state());
        }
    }

    @Test
    void shouldFreezeNothingWhenTheTargetIsDownAtFreezeTime() throws Exception {
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
            CutoverResult result = r.source.cutover(List.of(mount), 60_000).get(30, TimeUnit.SECONDS);
            assertEquals(Outcome.FAILED, result.result());
            assertTrue(result.reason().endsWith("nothing was frozen"), result.reason());
            assertEquals(CutoverResult.FileSystems.NOT_FROZEN, result.fileSystems());
            assertTrue(result.stillFrozen().isEmpty());
            LoopFs.assertWritable(mount);
        }
    }

    @Test
    void shouldRefuseWithBothFiguresWhenTheBacklogCannotDrainInTime() throws Exception {
        Path volume = dir.resolve("disk0.img");
        // 256 MiB never acknowledged: about 5 s to drain at the assumed 50 MiB/s, against a timeout of 3 s.
        MixedImage.write(volume, 256L << 20, 3);
        try (Replication r = new Replication(dir)) {
            r.plaintext = true;
            r.startTarget();
            try (AckHoldingProxy proxy = new AckHoldingProxy(r.targetAddress)) {
                proxy.hold();
                r.targetAddress = proxy.address();
                r.startSource(volume, "disk0");
                CutoverResult result = r.source.cutover(List.of(), 3_000).get(30, TimeUnit.SECONDS);
                assertEquals(Outcome.FAILED, result.result());
                assertTrue(result.reason().matches("the backlog of \\d+ bytes needs about \\d+ ms to drain at .* "
                        + "MB/s, more than the timeout of 3000 ms.*nothing was frozen"), result.reason());
                proxy.release();
                assertEquals(Outcome.OK, r.source.sync().get(60, TimeUnit.SECONDS).result(), "replication goes on");
            }
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
            assertEquals(Outcome.FAILED, result.result());
            assertTrue(result.reason().startsWith("could not freeze"), result.reason());
            assertEquals(CutoverResult.FileSystems.NOT_FROZEN, result.fileSystems());
            assertEquals(Outcome.OK, r.source.sync().get(60, TimeUnit.SECONDS).result(), "replication goes on");
        }
    }

    @Test
    void shouldNeverStartACutoverWithdrawnBeforeTheAgentTookItUp() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 4L << 20, 1);
        try (Replication r = new Replication(dir)) {
            r.startTarget();
            SourceDaemon source = r.startSource(volume, "disk0");
            CompletableFuture<CutoverResult> cutover = source.cutover(List.of(), 60_000);
            cutover.cancel(false);
            assertEquals(Outcome.OK, source.sync().get(60, TimeUnit.SECONDS).result());
            assertEquals(SourceState.CONTINUOUS, source.status().state(), "the withdrawn cutover did not run");
        }
    }
}
