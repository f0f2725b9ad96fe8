package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.replicator.source.CutoverResult;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import io.replicator.source.SourceStatus;
import io.replicator.source.track.kernel.TraceFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel tracker end to end on real loop devices: ext4 with files and direct writes during
 * replication, event loss forced with a tiny trace buffer, and restarts that trust (or refuse to
 * trust) the saved dirty map. Needs root and tracefs.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KernelTrackerTest {
    private static final long DISK_BYTES = 128L << 20;
    private static final int BLOCK = 65536;

    @TempDir
    Path dir;

    @BeforeEach
    void needsLoopDevicesAndTracefs() {
        String why = Shell.whyNoLoopDevices();
        assumeTrue(why == null, () -> "skipped: " + why);
        String noTrace = TraceFs.unavailableReason();
        assumeTrue(noTrace == null, () -> "skipped: the kernel tracker cannot work here: " + noTrace);
    }

    private static SourceConfig.Builder kernel(Replication r, String device, String name) {
        return r.sourceConfig(Path.of(device), name).tracker(SourceConfig.Tracker.KERNEL);
    }

    @Test
    void shouldCutOverExt4WrittenDuringReplicationToAnImageThatPassesFsck() throws Exception {
        Path mount = dir.resolve("mnt");
        try (LoopFs fs = new LoopFs(); Replication r = new Replication(dir)) {
            String device = fs.attach(dir.resolve("disk.img"), DISK_BYTES);
            fs.mkfsExt4(device);
            fs.mount(device, mount);
            Ext4LoopDeviceTest.writeFiles(mount, "before", 20, 1);
            r.startTarget();
            r.source = SourceDaemon.start(kernel(r, device, "root").build(), r.registry);
            assertEquals("kernel", r.source.status().tracker());
            CompletableFuture<Void> busy = CompletableFuture.runAsync(() -> {
                try {
                    Ext4LoopDeviceTest.writeFiles(mount, "during", 40, 2);
                    Shell.run("dd", "if=/dev/urandom", "of=" + mount.resolve("direct.bin"), "bs=64k", "count=64",
                            "oflag=direct", "status=none");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ReplicationEndToEndTest.waitForInitialSync(r);
            busy.get(120, TimeUnit.SECONDS);
            Ext4LoopDeviceTest.writeFiles(mount, "last", 5, 3);

            CutoverResult result = r.source.cutover(List.of(mount), 120_000).get(180, TimeUnit.SECONDS);

            assertTrue(result.ok(), result.reason());
            assertEquals(result.volumes().get(0).checksumSource(), result.volumes().get(0).checksumTarget());
            Path image = r.targetImage("root");
            Shell.run("e2fsck", "-fn", image.toString());
            Path copy = dir.resolve("copy");
            fs.mount(fs.attachReadOnly(image), copy, "ro", "noload");
            try (var files = Files.list(mount)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".bin")).toList()) {
                    Replication.assertSameBytes(f, copy.resolve(f.getFileName()));
                }
            }
        }
    }

    @Test
    void shouldRescanWhenTheKernelDropsEventsAndEndEqual() throws Exception {
        try (LoopFs fs = new LoopFs(); Replication r = new Replication(dir)) {
            String device = fs.attach(dir.resolve("raw.img"), 64L << 20);
            r.startTarget();
            r.source = SourceDaemon.start(kernel(r, device, "raw").traceBufferKb(4).build(), r.registry);
            ReplicationEndToEndTest.waitForInitialSync(r);

            for (int round = 0; round < 50 && losses(r) == 0; round++) {
                writeInParallel(device, round);
            }
            assertTrue(losses(r) > 0, "a 4 KiB trace buffer under parallel small writes loses events");
            r.source.sync().get(120, TimeUnit.SECONDS);

            SourceStatus s = r.source.status();
            assertNotNull(s.rescan(), "status names the rescan");
            assertTrue(s.rescan().reason().matches("(?s).*(dropped|overrun|lost block events).*"),
                    s.rescan().reason());
            CutoverResult result = r.source.cutover(List.of(), 120_000).get(180, TimeUnit.SECONDS);
            assertTrue(result.ok(), result.reason());
            Replication.assertSameBytes(Path.of(device), r.targetImage("raw"));
        }
    }

    private static double losses(Replication r) throws InterruptedException {
        Thread.sleep(300); // the loss poller looks every 250 ms
        return r.registry.get("replicator.source.tracker.losses").counter().count();
    }

    /** Two writers of 4 KiB direct writes at once, on both CPUs, into different halves of the device. */
    private static void writeInParallel(String device, int round) throws Exception {
        List<Process> writers = new java.util.ArrayList<>();
        for (int half = 0; half < 2; half++) {
            writers.add(new ProcessBuilder("dd", "if=/dev/urandom", "of=" + device, "bs=4k", "count=2000",
                    "seek=" + (half * 8192 + (round % 4) * 2000), "oflag=direct", "status=none")
                    .redirectErrorStream(true).start());
        }
        for (Process p : writers) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dd finished");
            assertEquals(0, p.exitValue(), "dd exit code");
        }
    }

    /** A 64 MiB loop device replicated with the kernel tracker until every change is durable. */
    private String replicateRawDevice(LoopFs fs, Replication r) throws Exception {
        String device = fs.attach(dir.resolve("raw.img"), 64L << 20);
        r.startTarget();
        r.source = SourceDaemon.start(kernel(r, device, "raw").build(), r.registry);
        ReplicationEndToEndTest.waitForInitialSync(r);
        r.source.sync().get(60, TimeUnit.SECONDS);
        return device;
    }

    private static void assertCutOverEqual(Replication r, String device) throws Exception {
        CutoverResult result = r.source.cutover(List.of(), 60_000).get(120, TimeUnit.SECONDS);
        assertTrue(result.ok(), result.reason());
        Replication.assertSameBytes(Path.of(device), r.targetImage("raw"));
    }

    @Test
    void shouldSendOnlyTheDirtyBlocksAfterACleanRestart() throws Exception {
        try (LoopFs fs = new LoopFs(); Replication r = new Replication(dir)) {
            String device = replicateRawDevice(fs, r);
            Shell.run("dd", "if=/dev/urandom", "of=" + device, "bs=64k", "count=8", "seek=100", "oflag=direct",
                    "status=none");
            r.source.close();

            r.source = SourceDaemon.start(kernel(r, device, "raw").build(), r.registry);
            SourceStatus started = r.source.status();
            r.source.sync().get(60, TimeUnit.SECONDS);

            assertNull(started.rescan(), "a clean stop with the device untouched needs no rescan");
            long sent = r.source.status().volumes().get(0).sentBytes();
            assertTrue(sent <= 8L * BLOCK + 1024, "sent " + sent + " bytes after the restart, at most the 8 dirty blocks");
            assertCutOverEqual(r, device);
        }
    }

    @Test
    void shouldRescanByFingerprintWhenTheDeviceWasWrittenWhileStopped() throws Exception {
        try (LoopFs fs = new LoopFs(); Replication r = new Replication(dir)) {
            String device = replicateRawDevice(fs, r);
            r.source.close();
            Shell.run("dd", "if=/dev/urandom", "of=" + device, "bs=64k", "count=4", "seek=300", "oflag=direct",
                    "status=none");

            r.source = SourceDaemon.start(kernel(r, device, "raw").build(), r.registry);
            r.source.sync().get(60, TimeUnit.SECONDS);

            SourceStatus s = r.source.status();
            assertNotNull(s.rescan());
            assertTrue(s.rescan().reason().contains("written to " + device + " while the daemon was stopped"),
                    s.rescan().reason());
            long sent = s.volumes().get(0).sentBytes();
            assertTrue(sent <= 4L * BLOCK + 1024, "a rescan by fingerprint sends only what differs: sent " + sent);
            assertCutOverEqual(r, device);
        }
    }
}
