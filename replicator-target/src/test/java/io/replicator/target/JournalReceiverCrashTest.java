package io.replicator.target;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.replicator.protocol.block.BlockEncoder;
import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CheckpointAck;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.journal.CheckpointCatalog;
import io.replicator.target.journal.CheckpointInfo;
import io.replicator.target.journal.JournalConfig;
import io.replicator.target.journal.JournalJvm;
import io.replicator.target.journal.SourceHistory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver process killed with SIGKILL, again and again, while a test source streams changes after
 * its initial copy and takes checkpoints: while it appends to the journal, applies behind it and prunes
 * (its journals' clock jumps five minutes every two seconds, so cycles roll and retention prunes), and
 * once with the journal's tail cut short or garbled before the restart. After each restart the receiver
 * reports at least what it acked; the source resends after that; at the end a verification (hash
 * requests over the whole volume, as a cutover's) finds the volume equal to the source's, and the
 * newest launchable checkpoint rebuilt from the live image and the undo queue equals the volume as it
 * was at that checkpoint.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class JournalReceiverCrashTest {
    static final int BLOCK = 4096;
    static final int BLOCKS = 512;
    static final VolumeInfo DISK = new VolumeInfo("disk0", (long) BLOCKS * BLOCK, BLOCK);
    static final long FEATURES = ProtocolVersion.SUPPORTED_FEATURES | ProtocolVersion.FEATURE_JOURNAL;
    static final int CHECKPOINT_EVERY = 150;
    private static final int ROUNDS = 6;

    @TempDir
    Path dir;

    private final BlockEncoder encoder = new BlockEncoder();
    /** Checkpoint id to the sequence it follows. */
    private final Map<Long, Long> checkpoints = new ConcurrentHashMap<>();

    /** Block {@code sequence}: the initial copy writes block sequence-1; changes write a spread of blocks. */
    static int blockOf(long sequence) {
        return sequence <= BLOCKS ? (int) (sequence - 1) : (int) ((sequence * 7919) % BLOCKS);
    }

    static byte[] contentOf(long sequence) {
        byte[] bytes = new byte[BLOCK];
        switch ((int) (sequence % 4)) {
            case 0 -> { } // zeros
            case 1 -> bytes = TargetFixture.text(BLOCK);
            default -> new SplittableRandom(sequence).nextBytes(bytes);
        }
        bytes[0] = (byte) sequence;
        bytes[1] = (byte) (sequence >> 8);
        return bytes;
    }

    static byte[] modelAt(long sequence) {
        byte[] model = new byte[BLOCKS * BLOCK];
        for (long s = 1; s <= sequence; s++) {
            System.arraycopy(contentOf(s), 0, model, blockOf(s) * BLOCK, BLOCK);
        }
        return model;
    }

    /** The receiver's answers, read on a thread of their own so that the source never blocks the receiver. */
    static final class Answers implements AutoCloseable {
        final TestSource source;
        final AtomicLong acked = new AtomicLong();
        final LinkedBlockingQueue<Frame> others = new LinkedBlockingQueue<>();
        final Thread reader;

        Answers(TestSource source, long durable) {
            this.source = source;
            acked.set(durable);
            reader = new Thread(() -> {
                try {
                    while (true) {
                        Frame frame = source.read();
                        if (frame instanceof Ack ack) {
                            acked.accumulateAndGet(ack.durableSequence(), Math::max);
                        } else if (!(frame instanceof io.replicator.protocol.wire.Heartbeat)) {
                            others.add(frame);
                        }
                    }
                } catch (IOException e) {
                    // The receiver was killed, or the test closed the connection.
                }
            }, "answers");
            reader.setDaemon(true);
            reader.start();
        }

        <T extends Frame> T next(Class<T> type) throws InterruptedException {
            Frame frame = others.poll(60, TimeUnit.SECONDS);
            if (frame instanceof ErrorFrame error) {
                throw new AssertionError("error from the receiver: " + error);
            }
            return type.cast(frame);
        }

        void awaitAck(long sequence) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acked.get() < sequence) {
                assertTrue(System.nanoTime() < deadline, "ack of " + sequence + " within 60 s (acked " + acked + ")");
                assertTrue(others.stream().noneMatch(f -> f instanceof ErrorFrame), () -> "no error: " + others);
                Thread.sleep(5);
            }
        }

        @Override
        public void close() throws IOException {
            source.close();
        }
    }

    @Test
    void shouldKeepEverythingAckedAndRebuildCheckpointsAcrossKill9OfTheReceiver() throws Exception {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        long sent = 0;
        long ackedBeforeKill = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Process receiver = start(round);
            try (Answers answers = connect(receiver, round)) {
                long durable = answers.acked.get();
                assertTrue(durable >= ackedBeforeKill, String.format("round %d: the receiver holds %d, it acked %d "
                        + "before the kill", round, durable, ackedBeforeKill));
                if (durable >= BLOCKS) {
                    // A source says again that its initial copy is done after each reconnect.
                    answers.source.send(new Checkpoint(1, Checkpoint.Kind.INITIAL_COPY_DONE, 0, durable, now(), 0, ""));
                    answers.next(CheckpointAck.class);
                }
                // The source resends what was not acked, then goes on.
                long until = Math.max(sent, durable) + 300 + random.nextInt(900);
                String when = switch (round % 3) {
                    case 0 -> "while appending and applying";
                    case 1 -> "right after a checkpoint";
                    default -> "at a random moment";
                };
                for (long s = durable + 1; s <= until; s++) {
                    send(answers, s);
                    if (round % 3 == 2 && s == durable + 200) {
                        break;
                    }
                }
                sent = Math.max(sent, until);
                if (round % 3 == 1) {
                    answers.awaitAck(sent);
                } else if (round % 3 == 2) {
                    Thread.sleep(random.nextInt(1500));
                }
                ackedBeforeKill = answers.acked.get();
                receiver.destroyForcibly();
                assertTrue(receiver.waitFor(30, TimeUnit.SECONDS));
                assertEquals(137, receiver.exitValue(), "killed by SIGKILL");
                ackedBeforeKill = Math.max(ackedBeforeKill, answers.acked.get());
                System.out.printf("round %d: killed %s; sent up to %d, acked %d%n", round, when, sent, ackedBeforeKill);
            }
            if (round == 3) {
                damageTail(random);
                ackedBeforeKill = 0; // the damage may have taken acked entries: the source resends them
            }
        }
        Process receiver = start(ROUNDS);
        try (Answers answers = connect(receiver, ROUNDS)) {
            long durable = answers.acked.get();
            assertTrue(durable >= ackedBeforeKill, "the receiver holds what it acked");
            answers.source.send(new Checkpoint(1, Checkpoint.Kind.INITIAL_COPY_DONE, 0, durable, now(), 0, ""));
            answers.next(CheckpointAck.class);
            for (long s = durable + 1; s <= sent; s++) {
                send(answers, s);
            }
            answers.awaitAck(sent);
            verify(answers, modelAt(sent));
        } finally {
            receiver.destroyForcibly();
            receiver.waitFor(30, TimeUnit.SECONDS);
        }
        assertCheckpointsRebuild();
    }

    private void send(Answers answers, long sequence) throws IOException, InterruptedException {
        answers.source.send(encoder.encode(0, sequence, (long) blockOf(sequence) * BLOCK,
                ByteBuffer.wrap(contentOf(sequence)), UnpooledByteBufAllocator.DEFAULT));
        if (sequence == BLOCKS) {
            answers.source.send(new Checkpoint(2, Checkpoint.Kind.INITIAL_COPY_DONE, 0, sequence, now(), 0, ""));
            answers.next(CheckpointAck.class);
        } else if (sequence > BLOCKS && sequence % CHECKPOINT_EVERY == 0) {
            long id = sequence / CHECKPOINT_EVERY;
            answers.source.send(new Checkpoint(3, Checkpoint.Kind.CONSISTENT, id, sequence, now(), 5, "at " + sequence));
            CheckpointAck ack = answers.next(CheckpointAck.class);
            assertTrue(ack.launchable(), ack.reason());
            checkpoints.put(id, sequence);
        }
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    /** What a cutover's verification does: hashes of the whole volume against the source's. */
    static void verify(Answers answers, byte[] model) throws Exception {
        int chunk = 64 * 1024;
        int count = model.length / chunk;
        answers.source.send(new HashRequest(77, 0, 0, chunk, count));
        HashResponse response = answers.next(HashResponse.class);
        ChunkHashes hashes = new ChunkHashes();
        for (int i = 0; i < count; i++) {
            assertArrayEquals(hashes.hashChunk(ByteBuffer.wrap(model, i * chunk, chunk)), response.hashes()[i],
                    "chunk " + i + " of the volume verifies equal");
        }
    }

    /** The newest launchable checkpoint rebuilt from the live image and the undo queue, as a launch does. */
    private void assertCheckpointsRebuild() throws Exception {
        Path journalDir = dir.resolve("journal");
        try (CheckpointCatalog catalog = CheckpointCatalog.open(journalDir.resolve("src"), "src")) {
            List<CheckpointInfo> all = catalog.list();
            System.out.println("checkpoints: " + all.stream().map(c -> c.checkpointId() + " " + c.state()).toList());
            CheckpointInfo newest = catalog.find("latest").orElseThrow(() -> new AssertionError("a launchable "
                    + "checkpoint: " + all));
            byte[] image = Files.readAllBytes(dir.resolve("data/src/disk0.img"));
            SourceHistory offline = new OfflineHistory(journalDir.resolve("src"), catalog);
            TargetJournalTest.rebuild(offline, newest, image);
            assertArrayEquals(modelAt(checkpoints.get(newest.checkpointId())), image,
                    "checkpoint " + newest.checkpointId() + " rebuilt");
        }
    }

    /** Damages the newest redo cycle's tail: cut short or garbled over its last bytes. */
    private void damageTail(SplittableRandom random) throws IOException {
        Path redo = dir.resolve("journal/src");
        Path newest;
        try (Stream<Path> files = Files.list(redo)) {
            newest = files.filter(f -> f.toString().endsWith(".cq4")).max(Path::compareTo).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(newest);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        int from = Math.max(0, end - 1 - random.nextInt(3000));
        try (RandomAccessFile file = new RandomAccessFile(newest.toFile(), "rw")) {
            if (random.nextBoolean()) {
                file.setLength(from);
                System.out.printf("journal %s cut short at byte %d (data ended at %d)%n", newest, from, end);
            } else {
                byte[] garbage = new byte[end - from];
                random.nextBytes(garbage);
                file.seek(from);
                file.write(garbage);
                System.out.printf("journal %s garbled from byte %d to %d%n", newest, from, end);
            }
        }
    }

    private Process start(int round) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx384m", "-XX:-UsePerfData"));
        command.addAll(JournalJvm.flags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ReceiverProcess.class.getName(),
                dir.resolve("data").toString(), dir.resolve("journal").toString(),
                Long.toString(TimeUnit.MINUTES.toMillis(30)), "2000"));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(
                dir.resolve("receiver-" + round + ".log").toFile())).start();
    }

    private Answers connect(Process receiver, int round) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("listening "), () -> "round " + round + ": " + line + "\n"
                + log(round));
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(line.substring(10)));
        TestSource source = TestSource.connect(address);
        long durable = source.hello("src", FEATURES, DISK).durableSequence();
        return new Answers(source, durable);
    }

    private String log(int round) {
        try {
            return Files.readString(dir.resolve("receiver-" + round + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A source's history read from disk after its receiver is gone. */
    record OfflineHistory(Path journal, CheckpointCatalog catalog) implements SourceHistory {
        @Override
        public String sourceId() {
            return "src";
        }

        @Override
        public io.replicator.target.journal.HistoryPins pins() {
            return new io.replicator.target.journal.HistoryPins();
        }

        @Override
        public Path undoDir() {
            return journal.resolve("undo");
        }

        @Override
        public JournalConfig journalConfig() {
            return JournalConfig.of(journal.getParent());
        }

        @Override
        public List<io.replicator.target.journal.VolumeRef> volumes() {
            return List.of();
        }

        @Override
        public io.replicator.target.journal.JournalReader undoReader(long afterPosition) throws IOException {
            return io.replicator.target.journal.JournalReader.detached(undoDir(), journalConfig(), afterPosition,
                    () -> Long.MAX_VALUE);
        }

        @Override
        public void awaitApplied(java.time.Duration timeout) {
        }
    }
}
