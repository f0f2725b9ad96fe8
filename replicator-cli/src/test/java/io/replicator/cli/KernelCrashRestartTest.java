package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.source.track.kernel.TraceFs;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a source daemon that follows a real loop device with the kernel tracker: its
 * tracing instance is left behind and removed by the next start, the state file says the stop was
 * unclean, every block is compared with the target's hashes, and only what differs is sent. Needs
 * root and tracefs.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KernelCrashRestartTest {
    private static final long VOLUME_BYTES = 64L << 20;

    @TempDir
    Path dir;

    private final LoopFs fs = new LoopFs();
    private ProcessReplication r;

    @RegisterExtension
    final AfterTestExecutionCallback printLogsOnFailure = context -> {
        if (context.getExecutionException().isPresent() && r != null) {
            System.out.println(r.logs());
        }
    };

    @AfterEach
    void cleanUp() throws InterruptedException {
        try {
            if (r != null) {
                r.close();
            }
        } finally {
            fs.close();
        }
    }

    @Test
    void shouldCompareWithTheTargetAndSendOnlyWhatDiffersAfterKillMinus9() throws Exception {
        String why = Shell.whyNoLoopDevices();
        assumeTrue(why == null, () -> "skipped: " + why);
        String noTrace = TraceFs.unavailableReason();
        assumeTrue(noTrace == null, () -> "skipped: the kernel tracker cannot work here: " + noTrace);
        Path image = dir.resolve("disk.img");
        MixedImage.write(image, VOLUME_BYTES, 21);
        Path device = Path.of(fs.attach(image, VOLUME_BYTES));
        r = new ProcessReplication(dir, device, List.of("--tracker", "kernel"));
        r.startTarget();
        r.startSource();
        r.awaitInSync(60_000);
        assertTrue(r.status().path("tracker").asText().equals("kernel"), r.status().toString());

        long writtenBefore = writeRandomBlocks(device, 200, 1);
        long killedPid = r.source.pid();
        r.source.kill9();
        Path leftBehind = TraceFs.ROOT.resolve("instances").resolve("replicator-" + ProcessReplication.SOURCE_ID + "-" + killedPid);
        assertTrue(Files.isDirectory(leftBehind), "kill -9 leaves the tracing instance " + leftBehind);
        long writtenWhileDown = writeRandomBlocks(device, 100, 2);

        r.startSource();
        assertFalse(Files.exists(leftBehind), "the next start removed " + leftBehind);
        JsonNode synced = r.sync();
        JsonNode status = r.status();
        long sent = status.path("volumes").get(0).path("sent_bytes").asLong();
        String reason = status.path("rescan").path("reason").asText();
        System.out.println("KernelCrashRestartTest | source killed with the kernel tracker | written "
                + writtenBefore + " bytes before the kill and " + writtenWhileDown + " while down; sent after the "
                + "restart " + sent + " bytes (" + String.format("%.2f%%", 100.0 * sent / VOLUME_BYTES)
                + " of the volume); " + synced);
        assertTrue(reason.contains("did not stop cleanly"), "status names the unclean stop: " + status);
        long touchedBlocksBytes = (writtenBefore + writtenWhileDown) / 4096 * 65536;
        assertTrue(sent <= touchedBlocksBytes, "only blocks that differ are sent: " + sent + " bytes, at most the "
                + touchedBlocksBytes + " bytes of the 64 KiB blocks written to, of " + VOLUME_BYTES);
        r.cutoverAndAssertEqual();
    }

    /** Writes {@code count} random 4 KiB blocks through the device, each forced; returns the bytes written. */
    private static long writeRandomBlocks(Path device, int count, long seed) throws Exception {
        Random random = new Random(seed);
        byte[] block = new byte[4096];
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.WRITE)) {
            for (int i = 0; i < count; i++) {
                random.nextBytes(block);
                ch.write(ByteBuffer.wrap(block), (random.nextLong() & Long.MAX_VALUE) % (VOLUME_BYTES / 4096) * 4096);
                ch.force(false);
            }
        }
        return count * 4096L;
    }
}
