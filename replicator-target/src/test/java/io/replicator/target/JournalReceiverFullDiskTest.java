package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static io.replicator.target.journal.SmallDisks.mountExt4;
import static io.replicator.target.journal.SmallDisks.unmount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CheckpointAck;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver's journal on ext4 on a loop device that fills up while a source streams changes: the
 * block that does not fit is refused with IO_ERROR naming the journal's disk, nothing not durable was
 * acked, the source keeps what was not acked and resends it once space returns, and the volume then
 * verifies equal. Needs root (mount) and loop devices.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class JournalReceiverFullDiskTest {
    /** More than the two budgets (redo and undo share the disk, each looks at its free space every 16 MiB). */
    private static final long RESERVE_BYTES = 40L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldRefuseChangesOnAFullJournalDiskAndResumeWhenSpaceReturns() throws Exception {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "skipped: mounting a small file system needs root");
        assumeTrue(Files.exists(Path.of("/dev/loop-control")), "skipped: no loop devices here (/dev/loop-control)");
        Path mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        Path image = dir.resolve("ext4.img");
        mountExt4(image, "128M", mnt);
        try {
            fillUpAndResume(mnt);
        } finally {
            unmount(mnt);
        }
    }

    private void fillUpAndResume(Path mnt) throws Exception {
        Path journal = mnt.resolve("journal");
        TargetFixture target = new TargetFixture(dir.resolve("data"), b -> b.journalDir(journal)
                .journalReserveBytes(RESERVE_BYTES), FileChannelOpener.DEFAULT);
        byte[] model = new byte[(int) TargetFixture.SIZE];
        long sequence = 0;
        long ackedBefore;
        ErrorFrame refusal = null;
        try {
            TestSource first = target.connect();
            first.hello("src", TargetJournalTest.FEATURES, DISK0);
            JournalReceiverCrashTest.Answers answers = new JournalReceiverCrashTest.Answers(first, 0);
            try (answers) {
                for (int b = 0; b < 64; b++) {
                    sequence++;
                    byte[] plain = TargetFixture.random(sequence, BLOCK);
                    answers.source.send(target.block(0, sequence, (long) b * BLOCK, plain));
                    System.arraycopy(plain, 0, model, b * BLOCK, BLOCK);
                }
                answers.source.send(new Checkpoint(1, Checkpoint.Kind.INITIAL_COPY_DONE, 0, sequence, 1, 0, ""));
                answers.next(CheckpointAck.class);
                answers.source.send(new Checkpoint(2, Checkpoint.Kind.CONSISTENT, 1, sequence, 2, 3, "before"));
                assertTrue(answers.next(CheckpointAck.class).launchable());
                // Leave a little more than the reserve free, then send more than fits.
                long free = Files.getFileStore(mnt).getUsableSpace();
                Files.write(mnt.resolve("filler"), new byte[(int) (free - RESERVE_BYTES - (6L << 20))]);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (refusal == null && System.nanoTime() < deadline) {
                    sequence++;
                    int b = (int) (sequence % 64);
                    byte[] plain = TargetFixture.random(sequence, BLOCK);
                    try {
                        answers.source.send(target.block(0, sequence, (long) b * BLOCK, plain));
                    } catch (IOException closed) {
                        // The receiver closed the connection after its error frame.
                    }
                    System.arraycopy(plain, 0, model, b * BLOCK, BLOCK);
                    Frame f = answers.others.poll();
                    if (f instanceof ErrorFrame e) {
                        refusal = e;
                    }
                    if (sequence % 256 == 0) {
                        Thread.sleep(5);
                    }
                }
                if (refusal == null) {
                    refusal = (ErrorFrame) answers.others.poll(30, TimeUnit.SECONDS);
                }
                answers.reader.join(10_000);
                ackedBefore = answers.acked.get();
            }
            System.out.println("refused: " + refusal + "; acked " + ackedBefore + " of " + sequence + " sent");
            assertTrue(refusal != null, "a refusal");
            assertEquals(ErrorCode.IO_ERROR, refusal.code(), refusal.message());
            assertTrue(refusal.message().contains(journal.toString()) && refusal.message().contains("full"),
                    refusal.message());
            assertTrue(ackedBefore < sequence, "not everything was acked");
            // Space returns: the source reconnects and resends what was not acked.
            Files.delete(mnt.resolve("filler"));
            TestSource second = helloWhenFree(target);
            long durable = second.helloAck.durableSequence();
            JournalReceiverCrashTest.Answers again = new JournalReceiverCrashTest.Answers(second, durable);
            try (again) {
                assertTrue(durable >= ackedBefore, "durable " + durable + " covers what was acked, " + ackedBefore);
                again.source.send(new Checkpoint(3, Checkpoint.Kind.INITIAL_COPY_DONE, 0, durable, 4, 0, ""));
                again.next(CheckpointAck.class);
                for (long s = durable + 1; s <= sequence; s++) {
                    int b = (int) (s % 64);
                    again.source.send(target.block(0, s, (long) b * BLOCK, TargetFixture.random(s, BLOCK)));
                }
                again.awaitAck(sequence);
                byte[] verified = java.util.Arrays.copyOf(model, 64 * BLOCK);
                verifyFirstBlocks(again, verified);
            }
            System.out.println("checkpoints: " + target.server.history("src").orElseThrow().catalog().list());
        } finally {
            target.close();
        }
    }

    /** Connects as src with the journal feature once the receiver has let go of the previous session. */
    private static TestSource helloWhenFree(TargetFixture target) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            TestSource source = target.connect();
            source.send(new io.replicator.protocol.wire.Hello(io.replicator.protocol.wire.ProtocolVersion.MIN_SUPPORTED,
                    io.replicator.protocol.wire.ProtocolVersion.MAX_SUPPORTED, TargetJournalTest.FEATURES, "src",
                    java.util.List.of(DISK0)));
            Frame frame = source.read();
            if (frame instanceof io.replicator.protocol.wire.HelloAck ack) {
                source.helloAck = ack;
                return source;
            }
            source.close();
            assertTrue(frame instanceof ErrorFrame e && e.code() == ErrorCode.ALREADY_CONNECTED
                    && System.nanoTime() < deadline, "HelloAck, got " + frame);
            Thread.sleep(50);
        }
    }

    private static void verifyFirstBlocks(JournalReceiverCrashTest.Answers answers, byte[] model) throws Exception {
        answers.source.send(new io.replicator.protocol.wire.HashRequest(5, 0, 0, BLOCK, 64));
        io.replicator.protocol.wire.HashResponse response = answers.next(io.replicator.protocol.wire.HashResponse.class);
        io.replicator.protocol.block.ChunkHashes hashes = new io.replicator.protocol.block.ChunkHashes();
        for (int i = 0; i < 64; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(hashes.hashChunk(java.nio.ByteBuffer.wrap(model,
                    i * BLOCK, BLOCK)), response.hashes()[i], "block " + i + " verifies equal");
        }
    }
}
