package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static io.replicator.target.TargetFixture.SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.block.BlockDecoder;
import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CheckpointAck;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.Heartbeat;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.Ack;
import io.netty.buffer.Unpooled;
import io.replicator.target.journal.CheckpointInfo;
import io.replicator.target.journal.JournalEntry;
import io.replicator.target.journal.JournalReader;
import io.replicator.target.journal.MarkerKind;
import io.replicator.target.journal.SourceHistory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver's journal phase over the wire, from a test source: blocks before the initial copy's
 * end go straight to the volume; after it they are journaled (acked after the journal's sync) and
 * applied behind; a consistent checkpoint is journaled, recorded and becomes launchable once applied,
 * with the undo queue holding what rebuilds the volume as it was at the checkpoint.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TargetJournalTest {
    static final long FEATURES = ProtocolVersion.SUPPORTED_FEATURES | ProtocolVersion.FEATURE_JOURNAL;

    @TempDir
    Path dir;

    private final byte[] model = new byte[(int) SIZE];

    private TargetFixture target() throws IOException {
        return new TargetFixture(dir.resolve("data"), b -> b.journalDir(dir.resolve("journal")),
                io.replicator.target.internal.FileChannelOpener.DEFAULT);
    }

    private void send(TargetFixture target, TestSource source, long sequence, int block, byte[] plain)
            throws IOException {
        source.send(target.block(0, sequence, (long) block * BLOCK, plain));
        System.arraycopy(plain, 0, model, block * BLOCK, plain.length);
    }

    /** Reads past acks and heartbeats to the next other frame. */
    static <T extends Frame> T next(TestSource source, Class<T> type) throws IOException {
        Frame frame;
        do {
            frame = source.read();
        } while (frame instanceof Ack || frame instanceof Heartbeat);
        return assertInstanceOf(type, frame, String.valueOf(frame));
    }

    @Test
    void shouldJournalChangesAfterTheInitialCopyAndKeepWhatRebuildsACheckpoint() throws Exception {
        TargetFixture target = target();
        byte[] atCheckpoint;
        try (TestSource source = target.connect()) {
            assertTrue((source.hello("web1", FEATURES, DISK0).features() & ProtocolVersion.FEATURE_JOURNAL) != 0);
            for (int i = 0; i < 8; i++) {
                send(target, source, i + 1, i, TargetFixture.random(i, BLOCK));
            }
            source.send(new Checkpoint(1, Checkpoint.Kind.CONSISTENT, 5, 8, 1_000, 3, "too early"));
            CheckpointAck early = next(source, CheckpointAck.class);
            assertFalse(early.launchable());
            assertTrue(early.reason().contains("initial copy"), early.reason());
            source.send(new Checkpoint(2, Checkpoint.Kind.INITIAL_COPY_DONE, 0, 8, 2_000, 0, ""));
            next(source, CheckpointAck.class);
            assertTrue(Files.isRegularFile(dir.resolve("data/web1/journal-applied")));
            // Changes: journaled, acked after the journal's sync.
            send(target, source, 9, 2, TargetFixture.text(BLOCK));
            send(target, source, 10, 20, TargetFixture.random(20, 3 * BLOCK));
            source.awaitAck(10);
            source.send(new Checkpoint(3, Checkpoint.Kind.CONSISTENT, 7, 10, 3_000, 12, "before the upgrade"));
            CheckpointAck ack = next(source, CheckpointAck.class);
            assertTrue(ack.launchable(), ack.reason());
            atCheckpoint = model.clone();
            // After the checkpoint: overwrite blocks it holds (some twice), and blocks it never had.
            send(target, source, 11, 2, TargetFixture.random(111, BLOCK));
            send(target, source, 12, 21, TargetFixture.random(112, 2 * BLOCK));
            send(target, source, 13, 2, TargetFixture.random(113, BLOCK));
            send(target, source, 14, 40, new byte[4 * BLOCK]);
            send(target, source, 15, 0, TargetFixture.text(BLOCK));
            source.awaitAck(15);
            // A hash request reads the volume: answered once everything before it is applied.
            source.send(new HashRequest(9, 0, 0, BLOCK, 3));
            HashResponse hashes = next(source, HashResponse.class);
            ChunkHashes expected = new ChunkHashes();
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expected.hashChunk(ByteBuffer.wrap(model, i * BLOCK, BLOCK)), hashes.hashes()[i],
                        "chunk " + i);
            }
        }
        SourceHistory history = target.server.history("web1").orElseThrow();
        history.awaitApplied(java.time.Duration.ofSeconds(30));
        CheckpointInfo checkpoint = awaitLaunchable(history, 7);
        assertEquals("before the upgrade", checkpoint.label());
        assertEquals(12, checkpoint.freezeMs());
        assertEquals(4L * BLOCK, checkpoint.bytesSincePrevious());
        assertEquals(List.of("disk0"), checkpoint.volumes());
        assertEquals(CheckpointInfo.State.NOT_LAUNCHABLE, history.catalog().find("5").orElseThrow().state());
        assertEquals(7, history.catalog().find("latest").orElseThrow().checkpointId());
        // Rebuild the volume at the checkpoint from the live image and the undo queue, as a launch does.
        byte[] rebuilt = Files.readAllBytes(target.image("web1", "disk0"));
        assertArrayEquals(model, rebuilt);
        rebuild(history, checkpoint, rebuilt);
        assertArrayEquals(atCheckpoint, rebuilt);
        target.close();

        // After a restart the durable sequence comes from the journal.
        target.start();
        try (TestSource source = target.connect()) {
            assertEquals(15, source.hello("web1", FEATURES, DISK0).durableSequence());
            source.send(new Checkpoint(4, Checkpoint.Kind.INITIAL_COPY_DONE, 0, 15, 4_000, 0, ""));
            next(source, CheckpointAck.class);
            send(target, source, 16, 3, TargetFixture.random(116, BLOCK));
            source.awaitAck(16);
        } finally {
            target.close();
        }
        assertArrayEquals(model, Files.readAllBytes(target.image("web1", "disk0")));
    }

    @Test
    void shouldRefuseACheckpointInASessionWithoutTheJournalFeature() throws Exception {
        try (TargetFixture target = target(); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            source.send(new Checkpoint(1, Checkpoint.Kind.INITIAL_COPY_DONE, 0, 0, 1_000, 0, ""));
            assertTrue(source.expectError(ErrorCode.UNEXPECTED_FRAME).message().contains("JOURNAL"));
        }
    }

    static CheckpointInfo awaitLaunchable(SourceHistory history, long id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            CheckpointInfo info = history.catalog().find(Long.toString(id)).orElseThrow();
            if (info.launchable() || System.nanoTime() > deadline) {
                assertEquals(CheckpointInfo.State.LAUNCHABLE, info.state(), info.toString());
                return info;
            }
            Thread.sleep(20);
        }
    }

    /** Applies, over {@code image}, the first undo entry of each block at or after the checkpoint's marker. */
    static void rebuild(SourceHistory history, CheckpointInfo checkpoint, byte[] image) throws IOException {
        BitSet restored = new BitSet();
        BlockDecoder decoder = new BlockDecoder();
        ByteBuffer plain = ByteBuffer.allocate(1 << 20);
        List<JournalEntry> entries = new ArrayList<>();
        try (JournalReader reader = history.undoReader(checkpoint.undoPosition())) {
            for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
                entries.add(e);
            }
        }
        for (JournalEntry entry : entries) {
            if (entry instanceof JournalEntry.Marker marker) {
                assertEquals(MarkerKind.CHECKPOINT, marker.kind());
                continue;
            }
            JournalEntry.Block block = (JournalEntry.Block) entry;
            int first = (int) (block.offset() / BLOCK);
            if (restored.get(first)) {
                continue;
            }
            BlockFrame frame = new BlockFrame(block.volume(), block.encoding(), block.sequence(), block.offset(),
                    block.lengthBytes(), block.plainCrc32c(), Unpooled.wrappedBuffer(block.payload()));
            ByteBuffer bytes = decoder.decode(frame, plain);
            bytes.get(image, (int) block.offset(), block.lengthBytes());
            restored.set(first, (int) ((block.offset() + block.lengthBytes() + BLOCK - 1) / BLOCK));
        }
    }
}
