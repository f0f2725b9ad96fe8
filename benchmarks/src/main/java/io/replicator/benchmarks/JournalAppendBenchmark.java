package io.replicator.benchmarks;

import io.replicator.protocol.wire.Encoding;
import io.replicator.target.journal.JournalConfig;
import io.replicator.target.journal.SourceJournal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appending durably, with group commit: one operation appends one entry of {@code entryBytes}
 * (seeded random bytes, stored RAW: the worst case for space) and every {@code syncEveryBytes}
 * the appends so far are forced. {@code journal}: the receiver's {@link SourceJournal} (Chronicle
 * Queue, a CRC32C per entry, {@code sync()}); {@code fileChannel}: the baseline, the same bytes with
 * the same 28-byte header and CRC32C appended with {@link FileChannel#write} and forced with
 * {@link FileChannel#force force(false)}. Entries/s times {@code entryBytes} is the payload rate.
 * Files go under {@code -Djournal.bench.dir} (default: the temporary directory) and are deleted
 * after each trial. One thread appends and syncs, as the apply thread would with the force
 * thread idle. State is per thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m",
        // JournalJvm.FLAGS: what Chronicle Queue needs on Java 17+.
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED"})
@Threads(1)
@State(Scope.Thread)
public class JournalAppendBenchmark {
    private static final int HEADER_BYTES = 28 + 32;

    @Param({"4096", "65536"})
    public int entryBytes;

    @Param({"1048576", "8388608"})
    public int syncEveryBytes;

    private Path dir;
    private ByteBuffer payload;
    private SourceJournal journal;
    private FileChannel channel;
    private final ByteBuffer header = ByteBuffer.allocateDirect(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer crcBytes = ByteBuffer.allocateDirect(4).order(ByteOrder.BIG_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long sequence;
    private long unsyncedBytes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path base = Path.of(System.getProperty("journal.bench.dir", System.getProperty("java.io.tmpdir")));
        dir = Files.createTempDirectory(base, "journal-bench-");
        byte[] bytes = new byte[entryBytes];
        new SplittableRandom(0x5EEDL).nextBytes(bytes);
        payload = ByteBuffer.allocateDirect(entryBytes);
        payload.put(bytes).flip();
        journal = SourceJournal.open(JournalConfig.of(dir), "bench");
        channel = FileChannel.open(dir.resolve("baseline.log"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        journal.sync();
        journal.close();
        channel.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Benchmark
    public long journal() throws IOException {
        journal.appendBlock(0, Encoding.RAW, ++sequence, sequence * entryBytes, entryBytes, 0, payload.duplicate());
        unsyncedBytes += entryBytes;
        if (unsyncedBytes >= syncEveryBytes) {
            unsyncedBytes = 0;
            return journal.sync();
        }
        return sequence;
    }

    @Benchmark
    public long fileChannel() throws IOException {
        header.clear();
        header.putInt(0x524A4E4C).putShort((short) 1).put((byte) 1).put((byte) 0).putLong(++sequence)
                .putLong(System.currentTimeMillis()).putInt(32 + entryBytes);
        header.putShort((short) 0).put((byte) 0).put((byte) 0).putLong(sequence).putLong(sequence * entryBytes)
                .putInt(entryBytes).putInt(0).putInt(entryBytes).flip();
        crc.reset();
        crc.update(header.duplicate());
        crc.update(payload.duplicate());
        crcBytes.clear();
        crcBytes.putInt((int) crc.getValue()).flip();
        channel.write(new ByteBuffer[] {header, payload.duplicate(), crcBytes});
        unsyncedBytes += entryBytes;
        if (unsyncedBytes >= syncEveryBytes) {
            unsyncedBytes = 0;
            channel.force(false);
        }
        return sequence;
    }
}
