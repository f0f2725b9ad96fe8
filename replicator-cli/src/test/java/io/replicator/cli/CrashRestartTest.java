package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bar of PRODUCT.md against {@code kill -9}: real target and source processes over mutual
 * TLS, one of them ended by SIGKILL mid-copy or mid-stream and started again on the same port and
 * directories; the cutover must prove the copies equal, the files must be equal byte for byte,
 * and the bytes sent again after the crash must stay close to what was not yet durable. Each case
 * prints one summary line with what it measured.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashRestartTest {
    private static final long VOLUME_BYTES = 128L << 20;
    private static final int BLOCK_BYTES = 64 << 10;
    private static final long MAX_IN_FLIGHT_BYTES = ProcessReplication.defaultMaxInFlightBytes();
    /** Slack over remaining + in-flight: one read-ahead unit of the pass that was running. */
    private static final long MARGIN_BYTES = 4L << 20;
    private static final long SYNC_TIMEOUT_MS = 60_000;

    @TempDir
    Path dir;

    private ProcessReplication r;

    @RegisterExtension
    final AfterTestExecutionCallback printLogsOnFailure = context -> {
        if (context.getExecutionException().isPresent() && r != null) {
            System.out.println(r.logs());
        }
    };

    @BeforeEach
    void writeVolume() throws IOException {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, VOLUME_BYTES, 11);
        r = new ProcessReplication(dir, volume);
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        r.close();
    }

    @Test
    void shouldResumeTheInitialSyncWhenTheSourceIsKilled() throws Exception {
        r.startTarget();
        r.startSource();
        long syncedBeforeKill = awaitPartlySynced(0.2).path("synced_bytes").asLong();
        r.source.kill9();
        r.resumeTarget();
        assertPartlySynced(syncedBeforeKill, 0.8);

        r.startSource();
        JsonNode synced = r.awaitInSync(SYNC_TIMEOUT_MS);
        long sentAfterRestart = synced.path("sent_bytes").asLong();
        long equalAfterRestart = r.comparedEqualBlocksSinceStart() * synced.path("block_size_bytes").asLong();
        long bound = VOLUME_BYTES - syncedBeforeKill + MAX_IN_FLIGHT_BYTES + MARGIN_BYTES;
        summary("source killed mid initial sync", String.format("synced before kill %s, found equal on the target by "
                + "the restarted source %s, sent after restart %s (bound %s)", mib(syncedBeforeKill),
                mib(equalAfterRestart), mib(sentAfterRestart), mib(bound)));
        r.cutoverAndAssertEqual();
        assertTrue(equalAfterRestart >= syncedBeforeKill, "the restarted source learns from the target every block "
                + "acknowledged before the kill: " + equalAfterRestart + " >= " + syncedBeforeKill);
        assertTrue(sentAfterRestart <= bound, "sent after restart " + sentAfterRestart + " <= remaining "
                + (VOLUME_BYTES - syncedBeforeKill) + " + in flight " + MAX_IN_FLIGHT_BYTES + " + " + MARGIN_BYTES);
    }

    @Test
    void shouldSendOnlyTheChangesWhenTheSourceIsKilledDuringContinuousReplication() throws Exception {
        Random random = new Random(21);
        r.startTarget();
        r.startSource();
        r.awaitInSync(SYNC_TIMEOUT_MS);
        awaitStateFileHoldsEveryBlock();

        Set<Long> changedBeforeKill = writeRandomBlocks(random, 48);
        Thread.sleep(random.nextInt(1000));
        JsonNode atKill = r.volumeStatus();
        r.source.kill9();
        Set<Long> changedWhileDown = writeRandomBlocks(random, 32);

        r.startSource();
        r.sync();
        long sentAfterRestart = r.awaitInSync(SYNC_TIMEOUT_MS).path("sent_bytes").asLong();
        long changedWhileDownBytes = (long) changedWhileDown.size() * BLOCK_BYTES;
        summary("source killed during continuous replication", String.format("changed %s before the kill (backlog "
                + "at kill %s), %s while down; sent after restart %s (%.2f%% of the volume)",
                mib(changedBeforeKill.size() * (long) BLOCK_BYTES), mib(atKill.path("backlog_bytes").asLong()),
                mib(changedWhileDownBytes), mib(sentAfterRestart), 100.0 * sentAfterRestart / VOLUME_BYTES));
        r.cutoverAndAssertEqual();
        assertTrue(sentAfterRestart < VOLUME_BYTES / 10, "sent after restart " + sentAfterRestart
                + " < 10% of the volume");
        assertTrue(sentAfterRestart >= changedWhileDownBytes, "sent after restart " + sentAfterRestart
                + " covers the random blocks written while the source was down: " + changedWhileDownBytes);
    }

    @Test
    void shouldResumeTheInitialSyncWhenTheTargetIsKilled() throws Exception {
        r.startTarget();
        r.startSource();
        awaitPartlySynced(0.2);
        r.target.kill9();
        JsonNode atKill = r.volumeStatus();
        long syncedAtKill = atKill.path("synced_bytes").asLong();
        assertPartlySynced(syncedAtKill, 0.8);

        r.startTarget();
        long sentAfterKill = r.awaitInSync(SYNC_TIMEOUT_MS).path("sent_bytes").asLong()
                - atKill.path("sent_bytes").asLong();
        long bound = VOLUME_BYTES - syncedAtKill + MAX_IN_FLIGHT_BYTES + MARGIN_BYTES;
        summary("target killed mid initial sync", String.format("durable at kill %s, sent from kill to completion %s "
                + "(bound %s)", mib(syncedAtKill), mib(sentAfterKill), mib(bound)));
        r.cutoverAndAssertEqual();
        assertTrue(sentAfterKill <= bound, "sent after the target's restart " + sentAfterKill + " <= remaining "
                + (VOLUME_BYTES - syncedAtKill) + " + in flight " + MAX_IN_FLIGHT_BYTES + " + " + MARGIN_BYTES);
    }

    @Test
    void shouldLoseNothingWhenTheTargetIsKilledWhileTheVolumeIsWritten() throws Exception {
        r.startTarget();
        r.startSource();
        r.awaitInSync(SYNC_TIMEOUT_MS);
        long sentBeforeKill;
        long writes;
        try (Replication.Writer writer = new Replication.Writer(r.volume, 41)) {
            Thread.sleep(1000);
            r.target.kill9();
            sentBeforeKill = r.volumeStatus().path("sent_bytes").asLong();
            Thread.sleep(300);
            r.startTarget();
            r.awaitStatus("reconnected", s -> s.path("connected").asBoolean(), SYNC_TIMEOUT_MS);
            Thread.sleep(1000);
            writer.close();
            writes = writer.writes.get();
        }
        r.sync();
        long sentAfterKill = r.volumeStatus().path("sent_bytes").asLong() - sentBeforeKill;
        summary("target killed while the volume is written", String.format("%d writes of 4 KiB; sent from kill to "
                + "sync %s", writes, mib(sentAfterKill)));
        r.cutoverAndAssertEqual();
    }

    @Test
    void shouldLoseNothingWhenTheTargetIsKilledThreeTimesDuringTheInitialSync() throws Exception {
        long seed = 51;
        Random random = new Random(seed);
        r.startTarget();
        r.startSource();
        StringBuilder kills = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            double fraction = 0.1 + 0.25 * i + 0.2 * random.nextDouble();
            awaitPartlySynced(fraction);
            r.target.kill9();
            long synced = r.volumeStatus().path("synced_bytes").asLong();
            assertTrue(synced < VOLUME_BYTES, "kill " + (i + 1) + " came before the end of the initial sync");
            kills.append(String.format(" %s", mib(synced)));
            Thread.sleep(random.nextInt(500));
            r.startTarget();
        }
        long sent = r.awaitInSync(SYNC_TIMEOUT_MS).path("sent_bytes").asLong();
        summary("target killed 3 times mid initial sync", String.format("seed %d, durable at the kills%s; sent in "
                + "all %s for a %s volume", seed, kills, mib(sent), mib(VOLUME_BYTES)));
        r.cutoverAndAssertEqual();
    }

    @Test
    void shouldResendABlockLostInFlightEvenWhenItWentBackToTheContentTheTargetAcknowledged() throws Exception {
        r.startTarget();
        r.startSource();
        r.awaitInSync(SYNC_TIMEOUT_MS);
        long block = 1234;
        byte[] acknowledged = readBlock(r.volume, block);
        byte[] newer = new byte[BLOCK_BYTES];
        new Random(61).nextBytes(newer);
        Shell.run("kill", "-STOP", String.valueOf(r.target.pid()));
        writeBlock(r.volume, block, newer);
        r.awaitStatus("the newer block in flight", s -> s.path("volumes").get(0).path("backlog_bytes").asLong() > 0,
                SYNC_TIMEOUT_MS);
        writeBlock(r.volume, block, acknowledged);
        r.target.kill9();
        // A receiver that applied the frame and died before making it durable leaves it in its image.
        writeBlock(r.targetImage(), block, newer);
        r.startTarget();
        r.awaitStatus("reconnected", s -> s.path("connected").asBoolean(), SYNC_TIMEOUT_MS);
        r.sync();
        summary("target killed with a block in flight that went back to its acknowledged content",
                "block " + block + " equal after sync: " + (java.nio.file.Files.mismatch(r.volume, r.targetImage()) < 0));
        Replication.assertSameBytes(r.volume, r.targetImage());
        r.cutoverAndAssertEqual();
    }

    private static byte[] readBlock(Path file, long block) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BLOCK_BYTES);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buf.hasRemaining() && ch.read(buf, block * BLOCK_BYTES + buf.position()) > 0) {
                continue;
            }
        }
        return buf.array();
    }

    private static void writeBlock(Path file, long block, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf, block * BLOCK_BYTES + buf.position());
            }
        }
    }

    /** Waits until {@code fraction} of the volume is durable, and leaves the target stopped there. */
    private JsonNode awaitPartlySynced(double fraction) throws Exception {
        return r.awaitDurableWithTargetStopped((long) (VOLUME_BYTES * fraction), SYNC_TIMEOUT_MS)
                .path("volumes").get(0);
    }

    private static void assertPartlySynced(long syncedBytes, double atMost) {
        assertTrue(syncedBytes <= VOLUME_BYTES * atMost, "the kill came mid initial sync: " + syncedBytes + " of "
                + VOLUME_BYTES + " bytes were durable");
    }

    /** Waits until the source's state file on disk records every block (it is flushed every few seconds). */
    private void awaitStateFileHoldsEveryBlock() throws Exception {
        Path file = dir.resolve("state").resolve(ProcessReplication.VOLUME_NAME + ".fp");
        long blocks = VOLUME_BYTES / BLOCK_BYTES;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (knownBlocksOnDisk(file, blocks) < blocks) {
            assertTrue(System.nanoTime() < deadline, "the state file records every block within 30 s");
            Thread.sleep(200);
        }
    }

    /** Fingerprints that are not UNKNOWN (0) in the state file: a u64 per block from byte 4096. */
    static long knownBlocksOnDisk(Path file, long blocks) throws IOException {
        ByteBuffer entries = ByteBuffer.allocate((int) blocks * 8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (entries.hasRemaining() && ch.read(entries, 4096 + entries.position()) > 0) {
                continue;
            }
        }
        entries.flip();
        long known = 0;
        while (entries.hasRemaining()) {
            if (entries.getLong() != 0) {
                known++;
            }
        }
        return known;
    }

    /** Writes {@code count} random whole blocks at random block offsets; returns which blocks. */
    private Set<Long> writeRandomBlocks(Random random, int count) throws IOException {
        Set<Long> blocks = new HashSet<>();
        byte[] data = new byte[BLOCK_BYTES];
        try (FileChannel ch = FileChannel.open(r.volume, StandardOpenOption.WRITE)) {
            for (int i = 0; i < count; i++) {
                long block = random.nextInt((int) (VOLUME_BYTES / BLOCK_BYTES));
                random.nextBytes(data);
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf, block * BLOCK_BYTES + buf.position());
                }
                blocks.add(block);
            }
        }
        return blocks;
    }

    private static void summary(String kase, String measured) {
        System.out.println("CrashRestartTest | " + kase + " | " + measured);
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
