package io.replicator.target;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.replicator.protocol.block.BlockEncoder;
import io.replicator.protocol.wire.VolumeInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four sources that always have blocks to send, through a receiver whose disk is the bottleneck: a
 * device shared by every volume that takes one write at a time, a millisecond each (about 64 MB/s
 * of 64 KiB blocks), while loopback brings the blocks many times faster. Each source gets at least
 * half of a quarter of the bytes written. (This machine cannot make a slow block device: no
 * device-mapper in its kernel; so the slow device is injected beneath the volumes' file channels.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TargetDiskShareTest {
    private static final int SOURCES = 4;
    private static final int BLOCK_BYTES = 64 * 1024;
    private static final int BLOCKS = 64;
    private static final long MEASURED_BYTES = 64L << 20;

    @TempDir
    Path dataDir;

    @AfterEach
    void healDisk() {
        FailingFileChannel.device.set(null);
    }

    /** One write at a time, a millisecond each; counts the bytes written to each source's images. Thread-safe. */
    private static final class SlowDevice implements FailingFileChannel.Device {
        private final long[] written = new long[SOURCES];

        @Override
        public synchronized void write(Path path, int bytes) throws IOException {
            String source = path.getParent().getFileName().toString();
            if (!path.getFileName().toString().endsWith(".img") || !source.startsWith("src")) {
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            written[Integer.parseInt(source.substring(3))] += bytes;
        }

        synchronized long[] written() {
            return written.clone();
        }
    }

    @Test
    void shouldGiveEachBusySourceAtLeastHalfItsShareOfASlowDisk() throws Exception {
        SlowDevice disk = new SlowDevice();
        FailingFileChannel.device.set(disk);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<TestSource> sources = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        try (TargetFixture target = new TargetFixture(dataDir, b -> b, FailingFileChannel.OPENER)) {
            try {
                measureShares(target, disk, sources, senders, stop, failure);
            } finally {
                stop.set(true);
                FailingFileChannel.device.set(null);
                for (TestSource s : sources) {
                    s.close();
                }
                for (Thread t : senders) {
                    t.join(30_000);
                }
            }
        }
    }

    private static void measureShares(TargetFixture target, SlowDevice disk, List<TestSource> sources,
                                      List<Thread> senders, AtomicBoolean stop, AtomicReference<Throwable> failure)
            throws Exception {
        for (int i = 0; i < SOURCES; i++) {
            TestSource source = target.connect();
            source.hello("src" + i, new VolumeInfo("disk0", (long) BLOCKS * BLOCK_BYTES, BLOCK_BYTES));
            sources.add(source);
            Thread sender = new Thread(() -> sendUntilStopped(source, stop, failure), "sender-" + i);
            senders.add(sender);
            sender.start();
        }
        long[] before = awaitEveryoneWriting(disk, failure);
        long startNs = System.nanoTime();
        long[] share = new long[SOURCES];
        long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(90);
        while (sum(share) < MEASURED_BYTES) {
            assertTrue(System.nanoTime() < deadlineNs, "the slow disk wrote " + sum(share) + " bytes in 90 s");
            assertTrue(failure.get() == null, () -> "a sender failed: " + failure.get());
            Thread.sleep(20);
            long[] now = disk.written();
            for (int i = 0; i < SOURCES; i++) {
                share[i] = now[i] - before[i];
            }
        }
        long total = sum(share);
        System.out.printf("%d bytes written for %d sources through the slow disk in %d ms: %s%n", total, SOURCES,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), Arrays.toString(share));
        for (int i = 0; i < SOURCES; i++) {
            assertTrue(share[i] >= total / SOURCES / 2, "source src" + i + " got " + share[i] + " of " + total
                    + " bytes written, less than half of its fair share: " + Arrays.toString(share));
        }
    }

    /** Sends text blocks over the volume, round and round, until told to stop. */
    private static void sendUntilStopped(TestSource source, AtomicBoolean stop, AtomicReference<Throwable> failure) {
        BlockEncoder encoder = new BlockEncoder();
        byte[] plain = TargetFixture.text(BLOCK_BYTES);
        try {
            for (long sequence = 1; !stop.get(); sequence++) {
                long offset = (sequence % BLOCKS) * BLOCK_BYTES;
                source.send(encoder.encode(0, sequence, offset, ByteBuffer.wrap(plain), UnpooledByteBufAllocator.DEFAULT));
            }
        } catch (IOException | RuntimeException e) {
            if (!stop.get()) {
                failure.set(e);
            }
        }
    }

    /** The bytes written per source once every source has had a block written. */
    private static long[] awaitEveryoneWriting(SlowDevice disk, AtomicReference<Throwable> failure)
            throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            long[] written = disk.written();
            if (Arrays.stream(written).allMatch(b -> b > 0)) {
                return written;
            }
            assertTrue(System.nanoTime() < deadlineNs, () -> "not every source written within 60 s: "
                    + Arrays.toString(written) + ", " + failure.get());
            Thread.sleep(10);
        }
    }

    private static long sum(long[] values) {
        return Arrays.stream(values).sum();
    }
}
