package io.replicator.benchmarks;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.replicator.protocol.block.BlockEncoder;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.target.journal.JournalConfig;
import io.replicator.target.journal.JournalReader;
import io.replicator.target.journal.MarkerKind;
import io.replicator.target.journal.SourceJournal;
import io.replicator.target.launch.LaunchHistories;
import io.replicator.target.launch.LaunchHistory;
import io.replicator.target.launch.LaunchPoint;
import io.replicator.target.launch.LaunchRequest;
import io.replicator.target.launch.LaunchResult;
import io.replicator.target.launch.LaunchVolume;
import io.replicator.target.launch.Launcher;
import io.replicator.target.launch.PartialLedger;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code launch} of a volume at a checkpoint followed by random writes, against {@code cp
 * --sparse=always} of the same live image, side by side in one run (benchmarks/run-launch.sh). The
 * volume ({@code SIZE}, random data) is written whole, a checkpoint taken, then {@code WRITES} bytes
 * of random 4 KiB writes applied as the receiver applies them (old contents to the undo queue, a
 * real {@link SourceJournal}, synced every 1 MiB of undo before the volume writes it protects). Each
 * round times {@code cp --sparse=always} and the launch (alternating which goes first), with the page
 * cache dropped before each when run as root (unless {@code LAUNCH_BENCH_WARM} is set). Prints one
 * line per timing (with this process's CPU time, read and write calls, page faults and disk bytes
 * over it, cp's included as a waited-for child), the launch's phases, a check that the launched
 * image equals the volume at the checkpoint (CRC32C, outside the timing), and the medians. Not part
 * of {@code mvn test}. Single-threaded.
 *
 * <p>Usage: {@code LaunchBenchmark DIR SIZE_BYTES WRITE_BYTES ROUNDS}
 */
public final class LaunchBenchmark {
    private static final int BLOCK = 4096;

    private LaunchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        long writeBytes = Long.parseLong(args[2]);
        int rounds = Integer.parseInt(args[3]);
        Path data = Files.createDirectories(dir.resolve("data/src"));
        Path image = data.resolve("vol.img");
        SplittableRandom random = new SplittableRandom(42);
        long t0 = System.nanoTime();
        fill(image, size, random);
        System.out.printf("volume %d MiB written in %d ms%n", size >> 20, (System.nanoTime() - t0) / 1_000_000);
        long atCheckpoint = crc32c(image);
        try (SourceJournal undo = SourceJournal.open(JournalConfig.of(dir.resolve("journal/src"))
                .withReserveBytes(0), "undo")) {
            long marker = undo.appendMarker(MarkerKind.CHECKPOINT, 1, 0, "bench");
            undo.sync();
            t0 = System.nanoTime();
            long undone = applyRandomWrites(image, size, writeBytes, undo, random);
            System.out.printf("%d MiB of random 4 KiB writes applied in %d ms; undo kept: %d MiB%n", writeBytes >> 20,
                    (System.nanoTime() - t0) / 1_000_000, undone >> 20);
            Bench history = new Bench(dir, undo, new LaunchVolume("vol", 0, image, size, BLOCK), marker);
            long[] cp = new long[rounds];
            long[] launch = new long[rounds];
            for (int round = 0; round < rounds; round++) {
                boolean cpFirst = round % 2 == 0;
                for (int turn = 0; turn < 2; turn++) {
                    Path out = Files.createDirectories(dir.resolve("out"));
                    dropCaches();
                    ProcStats before = ProcStats.now();
                    if (cpFirst == (turn == 0)) {
                        long s = System.nanoTime();
                        run("cp", "--sparse=always", image.toString(), out.resolve("cp.img").toString());
                        run("sync", "-f", out.resolve("cp.img").toString());
                        cp[round] = (System.nanoTime() - s) / 1_000_000;
                        System.out.printf("round %d: cp --sparse=always + sync: %d ms (%s)%n", round, cp[round],
                                ProcStats.now().since(before));
                    } else {
                        long s = System.nanoTime();
                        LaunchResult r = new Launcher(history, new PartialLedger(dir.resolve("data")))
                                .launch(new LaunchRequest("src", "1", out, Map.of()));
                        launch[round] = (System.nanoTime() - s) / 1_000_000;
                        LaunchResult.Volume v = r.volumes().get(0);
                        System.out.printf("round %d: launch: %d ms (method %s, copy %d ms, undo read %d ms, "
                                + "%d MiB restored from %d undo entries; %s)%n", round, launch[round], v.method(),
                                v.copyMs(), r.undoMs(), v.restoredBytes() >> 20, r.undoEntries(),
                                ProcStats.now().since(before));
                        System.out.printf("  %s%n", r.phases());
                        if (crc32c(Path.of(v.path())) != atCheckpoint) {
                            throw new IOException("the launched image differs from the volume at the checkpoint");
                        }
                        System.out.println("  the launched image equals the volume at the checkpoint (CRC32C)");
                    }
                    deleteTree(out);
                }
            }
            long cpMedian = median(cp);
            long launchMedian = median(launch);
            System.out.printf("median: cp --sparse=always %d ms, launch %d ms: launch takes %.2fx cp's time%n",
                    cpMedian, launchMedian, (double) launchMedian / cpMedian);
        }
    }

    private static void fill(Path image, long size, SplittableRandom random) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; at < size; at += chunk.length) {
                random.nextBytes(chunk);
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, size - at));
                while (buffer.hasRemaining()) {
                    channel.write(buffer, at + buffer.position());
                }
            }
            channel.force(true);
        }
    }

    /** Random 4 KiB writes, applied as the receiver does; returns the bytes of undo kept. */
    private static long applyRandomWrites(Path image, long size, long writeBytes, SourceJournal undo,
                                          SplittableRandom random) throws IOException {
        BitSet taken = new BitSet();
        BlockEncoder encoder = new BlockEncoder();
        long blocks = size / BLOCK;
        long undone = 0;
        long sequence = 0;
        int batch = 256;
        long[] offsets = new long[batch];
        byte[][] news = new byte[batch][BLOCK];
        try (FileChannel volume = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (long written = 0; written < writeBytes; written += (long) batch * BLOCK) {
                for (int i = 0; i < batch; i++) {
                    long block = random.nextLong(blocks);
                    offsets[i] = block * BLOCK;
                    random.nextBytes(news[i]);
                    if (!taken.get((int) block)) {
                        taken.set((int) block);
                        ByteBuffer old = ByteBuffer.allocate(BLOCK);
                        volume.read(old, offsets[i]);
                        old.flip();
                        BlockFrame frame = encoder.encode(0, ++sequence, offsets[i], old,
                                UnpooledByteBufAllocator.DEFAULT);
                        try {
                            undo.appendBlock(0, frame.encoding(), sequence, offsets[i], BLOCK, frame.crc32c(),
                                    frame.payload().nioBuffer());
                        } finally {
                            frame.release();
                        }
                        undone += BLOCK;
                    }
                }
                undo.sync(); // durable before the volume writes it protects
                for (int i = 0; i < batch; i++) {
                    volume.write(ByteBuffer.wrap(news[i]), offsets[i]);
                }
            }
            volume.force(true);
        }
        return undone;
    }

    /** The CRC32C of a whole file, read outside any timing. */
    private static long crc32c(Path file) throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(8 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer.clear()) > 0) {
                crc.update(buffer.flip());
            }
        }
        return crc.getValue();
    }

    private static void dropCaches() throws Exception {
        run("sync");
        Path drop = Path.of("/proc/sys/vm/drop_caches");
        if (Files.isWritable(drop) && System.getenv("LAUNCH_BENCH_WARM") == null) {
            Files.writeString(drop, "3");
        }
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * This process's CPU time and I/O counts from {@code /proc/self/stat} and {@code /proc/self/io},
     * waited-for children (cp, sync) included: user and system CPU, read and write system calls, and
     * bytes read from and written (dirtied) to storage.
     */
    private record ProcStats(long userMs, long sysMs, long syscr, long syscw, long readBytes, long writeBytes,
                             long minorFaults, long majorFaults) {
        static ProcStats now() throws IOException {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long tickMs = 10; // USER_HZ is 100 on Linux
            long user = (Long.parseLong(f[11]) + Long.parseLong(f[13])) * tickMs;
            long sys = (Long.parseLong(f[12]) + Long.parseLong(f[14])) * tickMs;
            Map<String, Long> io = new java.util.HashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                String[] kv = line.split(":\\s*");
                io.put(kv[0], Long.parseLong(kv[1].trim()));
            }
            return new ProcStats(user, sys, io.get("syscr"), io.get("syscw"), io.get("read_bytes"),
                    io.get("write_bytes"), Long.parseLong(f[7]) + Long.parseLong(f[8]),
                    Long.parseLong(f[9]) + Long.parseLong(f[10]));
        }

        String since(ProcStats b) {
            return String.format("cpu user %d ms sys %d ms, %d reads %d writes, %d page faults (%d major), disk read"
                    + " %d MiB written %d MiB", userMs - b.userMs, sysMs - b.sysMs, syscr - b.syscr, syscw - b.syscw,
                    minorFaults + majorFaults - b.minorFaults - b.majorFaults, majorFaults - b.majorFaults,
                    (readBytes - b.readBytes) >> 20, (writeBytes - b.writeBytes) >> 20);
        }
    }

    /** The one source of the benchmark: one volume, one checkpoint. */
    private record Bench(Path dir, SourceJournal undo, LaunchVolume volume, long marker)
            implements LaunchHistories, LaunchHistory {
        @Override
        public Optional<LaunchHistory> history(String sourceId) {
            return Optional.of(this);
        }

        @Override
        public List<String> sourceIds() {
            return List.of("src");
        }

        @Override
        public List<Path> receiverVolumes() {
            return List.of(volume.livePath());
        }

        @Override
        public List<Path> receiverDirs() {
            return List.of(dir.resolve("data"), dir.resolve("journal"));
        }

        @Override
        public String sourceId() {
            return "src";
        }

        @Override
        public List<LaunchPoint> checkpoints() {
            return List.of(new LaunchPoint(1, 0, "bench", List.of("vol"), marker, LaunchPoint.State.LAUNCHABLE, ""));
        }

        @Override
        public AutoCloseable pin(long fromUndoPosition) {
            return () -> { };
        }

        @Override
        public Path undoDir() {
            return undo.dir();
        }

        @Override
        public JournalReader undoReader(long afterPosition) {
            return undo.reader(afterPosition);
        }

        @Override
        public long undoDurablePosition() {
            return undo.durablePosition();
        }

        @Override
        public List<LaunchVolume> volumes() {
            return List.of(volume);
        }

        @Override
        public void awaitApplied(Duration timeout) {
        }
    }
}
