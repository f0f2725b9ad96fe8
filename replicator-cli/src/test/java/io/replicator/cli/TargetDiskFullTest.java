package io.replicator.cli;

import static io.replicator.cli.Replication.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.replicator.admin.AdminServer;
import io.replicator.admin.Json;
import io.replicator.protocol.text.HostPort;
import io.replicator.source.Outcome;
import io.replicator.source.SourceDaemon;
import io.replicator.source.SyncResult;
import io.replicator.source.admin.SourceAdmin;
import io.replicator.target.FullDisk;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A receiver whose disk is full answers the handshake and refuses the first blocks with IO_ERROR.
 * The source must back off instead of reconnecting at once (the sessions the receiver sees in a
 * window are bounded by the backoff's growth), say in {@code status} why and when it tries next,
 * and once space returns send again only what was in flight. Twice: with the receiver's failing
 * channel (everywhere) and with a real tmpfs filled up by another file (root only).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TargetDiskFullTest {
    private static final Logger LOG = LoggerFactory.getLogger(TargetDiskFullTest.class);
    private static final int BLOCK = 4096;
    private static final long VOLUME_BYTES = 16L << 20;
    /** Random bytes; the rest of the volume is zeros, which the receiver keeps as holes. */
    private static final long DATA_BYTES = 8L << 20;
    /** Written into the zeros while the disk is full: they need space the receiver does not have. */
    private static final int CHANGED_BLOCKS = 256;
    private static final long MAX_IN_FLIGHT_BYTES = 2L << 20;
    private static final long RECONNECT_MIN_MS = 100;
    private static final long RECONNECT_MAX_MS = 1_600;
    private static final long WINDOW_MS = 6_000;
    /** Beyond the backoff's bound: rounding at the window's edges. */
    private static final int SLACK_SESSIONS = 2;
    /** Frame headers of the resent blocks. */
    private static final long SLACK_BYTES = 64 << 10;
    private static final long TIMEOUT_MS = 60_000;

    @TempDir
    Path dir;

    /** What the test does to the receiver's disk. */
    private interface Disk {
        void fill() throws IOException;

        void free() throws IOException;
    }

    @Test
    void shouldBackOffWhileTheReceiversDiskIsFullAndResendOnlyWhatWasInFlightWhenSpaceReturns() throws Exception {
        try (Replication r = new Replication(dir)) {
            r.targetStarter = FullDisk::startTarget;
            replicateThroughAFullDisk(r, new Disk() {
                @Override
                public void fill() {
                    FullDisk.fill();
                }

                @Override
                public void free() {
                    FullDisk.free();
                }
            });
        } finally {
            FullDisk.free();
        }
    }

    @Test
    void shouldBackOffWhileARealFileSystemOnTheReceiverIsFull() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: needs root to mount a small tmpfs for the receiver (CI runs as root); "
                        + "the failing-channel variant of this test runs everywhere");
        assumeTrue(Shell.onPath("mount") && Shell.onPath("umount"), "skipped: mount is not installed");
        Path dataDir = dir.resolve("target");
        Path filler = dataDir.resolve("filler");
        try (LoopFs fs = new LoopFs(); Replication r = new Replication(dir)) {
            fs.mountTmpfs(dataDir, 4 * VOLUME_BYTES);
            replicateThroughAFullDisk(r, new Disk() {
                @Override
                public void fill() throws IOException {
                    fillUp(filler);
                }

                @Override
                public void free() throws IOException {
                    Files.delete(filler);
                }
            });
        }
    }

    private void replicateThroughAFullDisk(Replication r, Disk disk) throws Exception {
        Path volume = dir.resolve("disk0.img");
        writeVolume(volume);
        r.plaintext = true;
        r.startTarget();
        try (AckHoldingProxy proxy = new AckHoldingProxy(r.targetAddress)) {
            r.targetAddress = proxy.address();
            r.source = SourceDaemon.start(r.sourceConfig(volume, "disk0")
                    .reconnectMs(RECONNECT_MIN_MS, RECONNECT_MAX_MS).maxInFlightBytes(MAX_IN_FLIGHT_BYTES).build(),
                    r.registry);
            try (AdminServer server = SourceAdmin.register(new AdminServer(new InetSocketAddress("127.0.0.1", 0), null),
                    r.source, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).start()) {
                String admin = HostPort.format(server.address());
                assertEquals(Outcome.OK, r.source.sync().get(60, TimeUnit.SECONDS).result());

                disk.fill();
                int sessionsBefore = proxy.handshakesPassed();
                long windowStartNs = System.nanoTime();
                writeChanges(volume);
                Thread.sleep(WINDOW_MS);
                long windowMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - windowStartNs);
                int sessions = proxy.handshakesPassed() - sessionsBefore;
                int bound = maxSessions(windowMs) + SLACK_SESSIONS;
                LOG.info("the receiver saw {} sessions in {} ms of a full disk (at most {} allowed)", sessions,
                        windowMs, bound);
                assertTrue(sessions <= bound, "the receiver saw " + sessions + " sessions in " + windowMs
                        + " ms of a full disk; the backoff allows at most " + bound);

                JsonNode status = awaitStatus(admin, "the refusal and the next attempt", s ->
                        !s.path("connected").asBoolean() && s.path("last_error").asText().contains("IO_ERROR")
                                && s.path("next_attempt_ms").isNumber());
                assertEquals("disconnected", status.path("state").asText());
                assertTrue(status.path("last_error").asText().startsWith("target refused: "), status.toString());
                assertTrue(status.path("last_error").asText().contains("No space left on device"), status.toString());
                long nextAttemptMs = status.path("next_attempt_ms").asLong();
                assertTrue(nextAttemptMs >= 0 && nextAttemptMs <= RECONNECT_MAX_MS, status.toString());
                assertTrue(status.path("failed_attempts").asInt() >= 2, status.toString());
                JsonNode v = status.path("volumes").get(0);
                for (String field : new String[] {"name", "size_bytes", "synced_bytes", "backlog_bytes", "sent_bytes",
                        "lag_ms"}) {
                    assertTrue(v.has(field), "the contract's field " + field + " is still there: " + status);
                }
                String text = awaitText(admin, "(IO_ERROR); next attempt in ");
                assertTrue(text.contains("not connected: target refused: "), text);
                assertTrue(text.contains("No space left on device"), text);
                assertTrue(text.matches("(?s).*next attempt in \\d+\\.\\d s \\(attempt \\d+\\).*"), text);
                // A sync asked for meanwhile answers with the refusal at the next one, not at its deadline.
                CliRun sync = CliRun.run("sync", "--admin", admin, "--json", "--timeout", "10m");
                assertEquals(Main.EXIT_FAILED, sync.exit(), sync::toString);
                assertTrue(sync.out().contains("No space left on device"), sync::toString);

                long sentBefore = r.source.status().volumes().get(0).sentBytes();
                disk.free();
                SyncResult synced = r.source.sync().get(60, TimeUnit.SECONDS);
                assertEquals(Outcome.OK, synced.result());
                assertSameBytes(volume, r.targetImage("disk0"));
                long resentBytes = r.source.status().volumes().get(0).sentBytes() - sentBefore;
                long inFlightBytes = (long) CHANGED_BLOCKS * BLOCK;
                LOG.info("after space returned {} bytes were sent ({} were in flight)", resentBytes, inFlightBytes);
                assertTrue(resentBytes <= inFlightBytes + SLACK_BYTES, "after space returned " + resentBytes
                        + " bytes were sent; only the " + inFlightBytes + " bytes in flight had to be");
                awaitStatus(admin, "the failures reset by a session that made progress", s ->
                        s.path("connected").asBoolean() && s.path("failed_attempts").asInt() == 0
                                && s.path("next_attempt_ms").isNull());
            }
        }
    }

    /**
     * The most sessions that can start in {@code windowMs} after the first refusal: the k-th waits at
     * least half of {@code min(max, min * 2^(k-1))} after the one before it.
     */
    private static int maxSessions(long windowMs) {
        int sessions = 0;
        long elapsedMs = 0;
        long capMs = RECONNECT_MIN_MS;
        while (true) {
            elapsedMs += (capMs + 1) / 2;
            if (elapsedMs > windowMs) {
                return sessions;
            }
            sessions++;
            capMs = Math.min(RECONNECT_MAX_MS, capMs * 2);
        }
    }

    private static JsonNode awaitStatus(String admin, String what, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        JsonNode last = null;
        while (System.nanoTime() - deadline < 0) {
            CliRun run = CliRun.run("status", "--admin", admin, "--json");
            assertEquals(0, run.exit(), run.err());
            last = Json.MAPPER.readTree(run.out());
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("status never showed " + what + "; the last: " + last);
    }

    private static String awaitText(String admin, String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        String last = null;
        while (System.nanoTime() - deadline < 0) {
            CliRun run = CliRun.run("status", "--admin", admin);
            assertEquals(0, run.exit(), run.err());
            last = run.out();
            if (last.contains(expected)) {
                return last;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("status never printed '" + expected + "'; the last:\n" + last);
    }

    private static void writeVolume(Path volume) throws IOException {
        byte[] data = new byte[(int) DATA_BYTES];
        new Random(1).nextBytes(data);
        try (RandomAccessFile raf = new RandomAccessFile(volume.toFile(), "rw")) {
            raf.setLength(VOLUME_BYTES);
            raf.write(data);
        }
    }

    private static void writeChanges(Path volume) throws IOException {
        byte[] block = new byte[BLOCK];
        Random random = new Random(2);
        try (FileChannel ch = FileChannel.open(volume, StandardOpenOption.WRITE)) {
            for (int i = 0; i < CHANGED_BLOCKS; i++) {
                random.nextBytes(block);
                ch.write(ByteBuffer.wrap(block), DATA_BYTES + (long) i * BLOCK);
            }
        }
    }

    /** Writes {@code filler} until its file system has no block left. */
    private static void fillUp(Path filler) throws IOException {
        byte[] block = new byte[BLOCK];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
                throw e;
            }
        }
    }
}
