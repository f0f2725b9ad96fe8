package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.source.OperationRefusedException;
import io.replicator.source.PrepareAnswer;
import io.replicator.source.SourceMetrics;
import io.replicator.source.SourceStatus;
import io.replicator.source.checkpoint.CheckpointIds;
import io.replicator.source.checkpoint.CheckpointPlan;
import io.replicator.source.checkpoint.CheckpointResult;
import io.replicator.source.checkpoint.Hook;
import io.replicator.source.cutover.FreezeRecord;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.volume.SourceVolume;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consistent checkpoints of a live ext4 file system on a loop device, frozen with fsfreeze through the
 * cutover's guard, while a writer appends fsynced records: the whole agent (scan tracker) against a
 * {@link JournalingTarget} that keeps a copy of the volume at each checkpoint. That copy must pass
 * {@code e2fsck -fn} and hold every record whose fsync returned before the freeze and none begun after
 * the thaw; each failure must thaw and record nothing. Root only (the assumption says why it skips).
 */
@Timeout(180)
class CheckpointFreezeTest {
    private static final long FS_BYTES = 32L << 20;
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    private Ext4Loop fs;
    private SyncAgent agent;
    private JournalingTarget target;
    private CheckpointIds ids;

    @BeforeEach
    void setUp() throws Exception {
        String why = Ext4Loop.unavailable();
        assumeTrue(why == null, () -> "skipped: " + why);
        fs = Ext4Loop.create(dir, FS_BYTES);
        ids = CheckpointIds.open(Files.createDirectories(dir.resolve("state")));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (fs != null) {
            fs.close();
        }
    }

    private void startAgent(boolean journal) throws Exception {
        Path state = dir.resolve("state");
        SourceVolume volume = SourceVolume.open(Path.of(fs.device), "root");
        FingerprintStore fingerprints = FingerprintStore.open(state.resolve("root.fp"), volume.sizeBytes(), BLOCK);
        AgentConfig config = new AgentConfig("web1", new InetSocketAddress("127.0.0.1", 9), 200, 8 << 20,
                1_000, 100, 1_000, 5_000, 30_000, null, FreezeRecord.of(Files.createDirectories(dir.resolve("run")),
                state), state, null);
        agent = new SyncAgent(config, List.of(new VolumeSetup(volume, fingerprints, null, state.resolve("root.state"),
                0, 0)), BLOCK, new SourceMetrics(new SimpleMeterRegistry(), "test", List.of()), null, null, null,
                inbox -> target = new JournalingTarget(inbox, FS_BYTES, journal));
        agent.start().get(30, TimeUnit.SECONDS);
        agent.requests().sync(60_000, "test").get(60, TimeUnit.SECONDS);
    }

    private CheckpointPlan plan(List<Path> freeze, Hook pre, Hook post, long maxCaptureBytes) {
        return new CheckpointPlan(freeze, "before-upgrade", 60_000, 20_000, maxCaptureBytes, pre, post, ids);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(20);
        }
    }

    /** The writer gets on after the checkpoint: nothing stays frozen. */
    private static void assertWritable(RecordWriter writer) throws InterruptedException {
        int now = writer.synced.get();
        await(() -> writer.synced.get() > now + 3, "the writer to get on after the checkpoint (still frozen?)");
        assertNull(writer.failure());
    }

    @Test
    void shouldCaptureEveryWriteBeforeTheFreezeThawAndThenSendTheCheckpoint() throws Exception {
        startAgent(true);
        try (RecordWriter writer = new RecordWriter(fs.mount.resolve("log"), 1)) {
            await(() -> !target.checkpoints(Checkpoint.Kind.INITIAL_COPY_DONE).isEmpty(), "INITIAL_COPY_DONE");
            await(() -> writer.synced.get() > 50, "records");
            Path pre = dir.resolve("pre-freeze-ran");
            Path post = dir.resolve("post-thaw-ran");
            CheckpointResult r = agent.requests().checkpoint(plan(List.of(fs.mount), new Hook("pre-freeze", "touch "
                    + pre), new Hook("post-thaw", "touch " + post), CheckpointPlan.DEFAULT_MAX_CAPTURE_BYTES), "test")
                    .get(120, TimeUnit.SECONDS);
            assertTrue(r.ok(), r::toString);
            assertTrue(r.launchable(), r::toString);
            assertEquals(1, r.id(), r::toString);
            assertEquals(List.of("root"), r.volumes());
            assertNull(r.postThaw(), r::toString);
            assertTrue(Files.exists(pre) && Files.exists(post), "both hooks ran");
            assertWritable(writer);

            List<JournalingTarget.Arrival> arrivals = List.copyOf(target.arrivals);
            JournalingTarget.Arrival at = target.checkpoints(Checkpoint.Kind.CONSISTENT).get(0);
            Checkpoint c = at.checkpoint();
            assertEquals(r.sequence(), c.sequence());
            assertEquals(1, c.checkpointId());
            assertEquals("before-upgrade", c.label());
            assertEquals(r.freezeMs(), c.freezeMs());
            assertEquals(Instant.parse(r.time()).toEpochMilli(), c.timeMs());
            int index = arrivals.indexOf(at);
            assertTrue(arrivals.indexOf(target.checkpoints(Checkpoint.Kind.INITIAL_COPY_DONE).get(0)) < index,
                    "the initial copy's end comes first");
            for (int i = 0; i < arrivals.size(); i++) {
                long seq = arrivals.get(i).blockSequence();
                if (seq >= 0) {
                    assertTrue(i < index ? seq <= c.sequence() : seq > c.sequence(), "block frame " + seq + " at "
                            + i + " against the checkpoint's sequence " + c.sequence() + " at " + index);
                }
            }

            Path copy = dir.resolve("at-checkpoint.img");
            Files.write(copy, at.imageAtCheckpoint());
            String fsck = Ext4Loop.fsck(copy);
            assertNull(fsck, () -> "e2fsck -fn of the copy at the checkpoint: " + fsck);
            int held = RecordWriter.count(Ext4Loop.read(copy, "log", dir.resolve("log-at-checkpoint")));
            long frozenMs = c.timeMs();
            long thawedMs = frozenMs + c.freezeMs();
            for (int i = 0; i < writer.synced.get(); i++) {
                if (writer.syncedMs.get(i) < frozenMs) {
                    assertTrue(i < held, "record " + i + " was fsynced before the freeze and is missing (" + held
                            + " held)");
                }
            }
            for (int i = 0; i < held; i++) {
                assertTrue(writer.startedMs.get(i) <= thawedMs, "record " + i + " was begun after the thaw");
            }
            assertTrue(held > 50, "the copy holds the records written before: " + held);
        }
        SourceStatus status = agent.requests().status("scan", "test").get(10, TimeUnit.SECONDS);
        assertEquals(List.of(), status.frozen(), status::toString);
        assertEquals(1, ids.last());
    }

    @Test
    void shouldRefuseWithoutFreezingWhenThePreFreezeHookFails() throws Exception {
        startAgent(true);
        Path post = dir.resolve("post-thaw-ran");
        CheckpointResult r = agent.requests().checkpoint(plan(List.of(fs.mount), new Hook("pre-freeze",
                "echo database busy; exit 3"), new Hook("post-thaw", "touch " + post),
                CheckpointPlan.DEFAULT_MAX_CAPTURE_BYTES), "test").get(60, TimeUnit.SECONDS);
        assertEquals(CheckpointResult.REFUSED, r.result(), r::toString);
        assertTrue(r.reason().contains("the pre-freeze hook failed") && r.reason().contains("database busy")
                && r.reason().contains("nothing was frozen"), r.reason());
        assertFalse(Files.exists(post), "no thaw hook without a freeze");
        assertTrue(target.checkpoints(Checkpoint.Kind.CONSISTENT).isEmpty());
        assertEquals(0, ids.last(), "no number taken");
    }

    @Test
    void shouldFailAndRecordNothingWhenTheFreezeFails() throws Exception {
        startAgent(true);
        Path missing = dir.resolve("no-such-mount");
        CheckpointResult r = agent.requests().checkpoint(plan(List.of(missing), null, null,
                CheckpointPlan.DEFAULT_MAX_CAPTURE_BYTES), "test").get(60, TimeUnit.SECONDS);
        assertEquals(CheckpointResult.FAILED, r.result(), r::toString);
        assertTrue(r.reason().contains("could not freeze") && r.reason().contains("no checkpoint was recorded"),
                r.reason());
        assertTrue(target.checkpoints(Checkpoint.Kind.CONSISTENT).isEmpty());
    }

    @Test
    void shouldThawAndRecordNothingWhenTheReceiverDropsTheLinkThenNumberTheNextOneHigher() throws Exception {
        startAgent(true);
        try (RecordWriter writer = new RecordWriter(fs.mount.resolve("log"), 2)) {
            await(() -> writer.synced.get() > 20, "records");
            target.dropAtCheckpoint = true;
            CheckpointResult r = agent.requests().checkpoint(plan(List.of(fs.mount), null, null,
                    CheckpointPlan.DEFAULT_MAX_CAPTURE_BYTES), "test").get(60, TimeUnit.SECONDS);
            assertEquals(CheckpointResult.FAILED, r.result(), r::toString);
            assertTrue(r.reason().contains("lost the connection"), r.reason());
            assertWritable(writer);
            target.dropAtCheckpoint = false;
            await(() -> agent.requests().status("scan", "test").join().connected(), "the reconnect");
            CheckpointResult next = agent.requests().checkpoint(plan(List.of(fs.mount), null, null,
                    CheckpointPlan.DEFAULT_MAX_CAPTURE_BYTES), "test").get(60, TimeUnit.SECONDS);
            assertTrue(next.ok(), next::toString);
            assertTrue(next.id() > r.id(), "ids increase: " + r.id() + " then " + next.id());
            assertWritable(writer);
        }
    }

    @Test
    void shouldRefuseClearlyWhenTheReceiverKeepsNoHistory() throws Exception {
        startAgent(false);
        CheckpointResult r = agent.requests().checkpoint(plan(List.of(fs.mount), null, null,
                CheckpointPlan.DEFAULT_MAX_CAPTURE_BYTES), "test").get(60, TimeUnit.SECONDS);
        assertEquals(CheckpointResult.REFUSED, r.result(), r::toString);
        assertTrue(r.reason().contains("does not keep history (no JOURNAL feature)"), r.reason());
        assertTrue(target.checkpoints(Checkpoint.Kind.INITIAL_COPY_DONE).isEmpty(), "nothing a v2 receiver without "
                + "JOURNAL does not know");
    }

    @Test
    void shouldRefuseAndThawWhenWhatChangedIsLargerThanTheCaptureBound() throws Exception {
        startAgent(true);
        try (RecordWriter writer = new RecordWriter(fs.mount.resolve("log"), 0)) {
            await(() -> writer.synced.get() > 200, "records");
            CheckpointResult r = agent.requests().checkpoint(plan(List.of(fs.mount), null, null, 1), "test")
                    .get(60, TimeUnit.SECONDS);
            assertFalse(r.ok(), r::toString);
            assertTrue(r.reason().contains("capture's bound of 1 bytes") || r.reason().contains("more than the 1 bytes"),
                    r.reason());
            assertWritable(writer);
            assertTrue(target.checkpoints(Checkpoint.Kind.CONSISTENT).isEmpty());
        }
    }

    @Test
    void shouldRunOneOperationAtATime() throws Exception {
        startAgent(true);
        PrepareAnswer held = agent.requests().prepare(List.of(), 60_000, "wave-1", "admin").get(60, TimeUnit.SECONDS);
        assertNotNull(held);
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
                agent.requests().checkpoint(plan(List.of(fs.mount), null, null,
                        CheckpointPlan.DEFAULT_MAX_CAPTURE_BYTES), "test").get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof OperationRefusedException
                && refused.getCause().getMessage().contains("cutover"), refused.getCause().getMessage());
        agent.requests().abort(null, "test").get(30, TimeUnit.SECONDS);

        CompletableFuture<CheckpointResult> slow = agent.requests().checkpoint(plan(List.of(fs.mount),
                new Hook("pre-freeze", "sleep 2"), null, CheckpointPlan.DEFAULT_MAX_CAPTURE_BYTES), "admin");
        ExecutionException busy = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
                agent.requests().sync(10_000, "test").get(10, TimeUnit.SECONDS));
        assertTrue(busy.getCause().getMessage().contains("checkpoint"), busy.getCause().getMessage());
        assertTrue(slow.get(60, TimeUnit.SECONDS).ok());
    }
}
