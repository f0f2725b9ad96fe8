package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static io.replicator.target.TargetFixture.SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Encoding;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.target.apply.ProgressFile;
import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetApplyTest {
    @TempDir
    Path dataDir;

    private final byte[] model = new byte[(int) SIZE];

    @Test
    void shouldApplyRunsOfBlocksUpToTheVolumesEnd() throws IOException {
        TargetFixture target = new TargetFixture(dataDir);
        try (TestSource source = target.connect()) {
            assertTrue((source.hello("web1", DISK0).features() & ProtocolVersion.FEATURE_BLOCK_RUNS) != 0);
            byte[] run = TargetFixture.text(3 * BLOCK);
            byte[] tail = TargetFixture.random(3, 4 * BLOCK + 1000);
            source.send(target.block(0, 1, 2L * BLOCK, run));
            source.send(target.block(0, 2, 60L * BLOCK, tail));
            source.send(target.block(0, 3, 10L * BLOCK, new byte[16 * BLOCK]));
            source.awaitAck(3);
            System.arraycopy(run, 0, model, 2 * BLOCK, run.length);
            System.arraycopy(tail, 0, model, 60 * BLOCK, tail.length);
        } finally {
            target.close();
        }
        assertArrayEquals(model, Files.readAllBytes(target.image("web1", "disk0")));
    }

    /** Sends RAW at 0, LZ4 at one block, ZERO over the RAW block, and a short last block; returns the last sequence. */
    private long sendMixedBlocks(TargetFixture target, TestSource source, int volume) throws IOException {
        byte[] raw = TargetFixture.random(1, BLOCK);
        byte[] lz4 = TargetFixture.text(BLOCK);
        byte[] tail = TargetFixture.random(2, 1000);
        BlockFrame f1 = target.block(volume, 1, 0, raw);
        BlockFrame f2 = target.block(volume, 2, BLOCK, lz4);
        BlockFrame f3 = target.block(volume, 3, 0, new byte[BLOCK]);
        BlockFrame f4 = target.block(volume, 4, 64L * BLOCK, tail);
        assertEquals(Encoding.RAW, f1.encoding());
        assertEquals(Encoding.LZ4, f2.encoding());
        assertEquals(Encoding.ZERO, f3.encoding());
        for (BlockFrame f : new BlockFrame[] {f1, f2, f3, f4}) {
            source.send(f);
        }
        System.arraycopy(raw, 0, model, 0, BLOCK);
        System.arraycopy(lz4, 0, model, BLOCK, BLOCK);
        Arrays.fill(model, 0, BLOCK, (byte) 0);
        System.arraycopy(tail, 0, model, 64 * BLOCK, 1000);
        return 4;
    }

    @Test
    void shouldLeaveZeroRangesOfANewImageAsHoles() throws Exception {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            for (int i = 0; i < 64; i++) {
                source.send(target.block(0, i + 1, (long) i * BLOCK, new byte[BLOCK]));
            }
            source.awaitAck(64);
            Path image = target.image("web1", "disk0");
            assertArrayEquals(new byte[(int) SIZE], Files.readAllBytes(image));
            Process stat = new ProcessBuilder("stat", "-c", "%b", image.toString()).start();
            long allocatedSectors = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim());
            assertEquals(0, stat.waitFor());
            assertTrue(allocatedSectors <= 8, "zero ranges were written into holes: " + allocatedSectors + " sectors");
        }
    }

    @Test
    void shouldWriteRawLz4AndZeroBlocksByteForByteAndAckTheHighestSequence() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            assertEquals(0, source.hello("web1", DISK0).durableSequence());
            long last = sendMixedBlocks(target, source, 0);
            assertEquals(last, source.awaitAck(last).durableSequence());
            assertArrayEquals(model, Files.readAllBytes(target.image("web1", "disk0")));

            TargetStatus.SourceStatus status = target.server.status().sources().get(0);
            assertEquals("web1", status.id());
            assertTrue(status.connected());
            assertEquals(last, status.durableSequence());
            TargetStatus.VolumeStatus volume = status.volumes().get(0);
            assertEquals(new TargetStatus.VolumeStatus("disk0", target.image("web1", "disk0").toString(), SIZE,
                    3L * BLOCK + 1000, 4, 3L * BLOCK + 1000, volume.receivedBytes(), volume.receiveBytesPerSecond(), 0),
                    volume, "everything applied is durable (acknowledged) and nothing waits");
            assertTrue(volume.receivedBytes() > 0, volume::toString);
        }
    }

    @Test
    void shouldCreateTheImageAtExactlyTheSourceVolumeSize() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            Path image = target.image("web1", "disk0");
            assertEquals(SIZE, Files.size(image));
            assertArrayEquals(new byte[(int) SIZE], Files.readAllBytes(image));
        }
    }

    @Test
    void shouldAnswerHashRequestOverEverythingBeforeItIncludingAClippedLastChunk() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            sendMixedBlocks(target, source, 0);
            source.send(new HashRequest(7, 0, 0, 16 * BLOCK, 5));
            HashResponse response = readPastAcks(source, HashResponse.class);

            ChunkHashes hashes = new ChunkHashes();
            assertEquals(5, response.hashes().length);
            for (int i = 0; i < 5; i++) {
                int from = i * 16 * BLOCK;
                int to = (int) Math.min(SIZE, from + 16L * BLOCK);
                byte[] expected = hashes.hashChunk(ByteBuffer.wrap(model, from, to - from));
                assertArrayEquals(expected, response.hashes()[i], "chunk " + i);
            }
            assertEquals(7, response.requestId());
        }
    }

    @Test
    void shouldRefuseHashRequestReachingPastTheVolume() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            source.send(new HashRequest(8, 0, 0, 16 * BLOCK, 6));
            ErrorFrame error = source.expectError(ErrorCode.OUT_OF_RANGE);
            assertTrue(error.message().contains(Long.toString(SIZE)), error.message());
        }
    }

    @Test
    void shouldAnswerBarrierOnceEverythingBeforeItIsDurable() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            long last = sendMixedBlocks(target, source, 0);
            source.send(new Barrier(9, last));
            BarrierAck ack = readPastAcks(source, BarrierAck.class);
            assertEquals(new BarrierAck(9, last), ack);
            assertEquals(last, new ProgressFile(dataDir.resolve("web1")).read());
            assertArrayEquals(model, Files.readAllBytes(target.image("web1", "disk0")));
        }
    }

    @Test
    void shouldRefuseAnExistingImageOfAnotherSizeAndLeaveItUnchanged() throws IOException {
        Path image = dataDir.resolve("web1").resolve("disk0.img");
        Files.createDirectories(image.getParent());
        byte[] old = TargetFixture.random(3, (int) SIZE + 1);
        Files.write(image, old);
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED, 0, "web1", List.of(DISK0)));
            ErrorFrame error = source.expectError(ErrorCode.VOLUME_UNAVAILABLE);
            assertTrue(error.message().contains(Long.toString(SIZE + 1)), error.message());
            assertTrue(error.message().contains(Long.toString(SIZE)), error.message());
        }
        assertArrayEquals(old, Files.readAllBytes(image));
        assertFalse(Files.exists(dataDir.resolve("web1").resolve(ProgressFile.FILE_NAME)));
    }

    @Test
    void shouldRefuseMappingOntoASmallerFileAndLeaveItUnchanged() throws IOException {
        Path small = Files.write(dataDir.resolve("small.raw"), TargetFixture.random(4, (int) SIZE - 1));
        byte[] old = Files.readAllBytes(small);
        Path data = dataDir.resolve("data");
        try (TargetFixture target = new TargetFixture(data, b -> b.map("web1/disk0", small),
                FileChannelOpener.DEFAULT); TestSource source = target.connect()) {
            source.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED, 0, "web1", List.of(DISK0)));
            ErrorFrame error = source.expectError(ErrorCode.VOLUME_UNAVAILABLE);
            assertTrue(error.message().contains(Long.toString(SIZE - 1)), error.message());
            assertTrue(error.message().contains(Long.toString(SIZE)), error.message());
        }
        assertArrayEquals(old, Files.readAllBytes(small));
        assertFalse(Files.exists(data.resolve("web1").resolve("disk0.img")));
    }

    @Test
    void shouldWriteOntoALargerMappedFileAndLeaveItsTailAlone() throws IOException {
        Path large = Files.write(dataDir.resolve("large.raw"), TargetFixture.random(5, (int) SIZE + 8192));
        byte[] old = Files.readAllBytes(large);
        Path data = dataDir.resolve("data");
        try (TargetFixture target = new TargetFixture(data, b -> b.map("web1/disk0", large),
                FileChannelOpener.DEFAULT); TestSource source = target.connect()) {
            System.arraycopy(old, 0, model, 0, (int) SIZE);
            source.hello("web1", DISK0);
            long last = sendMixedBlocks(target, source, 0);
            source.awaitAck(last);
        }
        byte[] now = Files.readAllBytes(large);
        assertArrayEquals(model, Arrays.copyOf(now, (int) SIZE));
        assertArrayEquals(Arrays.copyOfRange(old, (int) SIZE, old.length), Arrays.copyOfRange(now, (int) SIZE, now.length));
        assertFalse(Files.exists(data.resolve("web1").resolve("disk0.img")));
    }

    @Test
    void shouldApplyEverythingInOrderWhenBackPressurePausesReading() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir, b -> b.maxQueuedBytes(16 * 1024).groupCommitBytes(8192),
                FileChannelOpener.DEFAULT); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            int frames = 300;
            for (int seq = 1; seq <= frames; seq++) {
                byte[] plain = TargetFixture.random(seq, BLOCK);
                int block = seq % 64;
                System.arraycopy(plain, 0, model, block * BLOCK, BLOCK);
                source.send(target.block(0, seq, (long) block * BLOCK, plain));
            }
            assertEquals(frames, source.awaitAck(frames).durableSequence());
            assertArrayEquals(model, Files.readAllBytes(target.image("web1", "disk0")));
        }
    }

    private static <T extends Frame> T readPastAcks(TestSource source, Class<T> type) throws IOException {
        while (true) {
            Frame frame = source.read();
            if (!(frame instanceof Ack)) {
                if (frame instanceof ErrorFrame error) {
                    throw new AssertionError("expected " + type.getSimpleName() + ", got " + error);
                }
                return type.cast(frame);
            }
        }
    }
}
