package io.replicator.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.internal.PlatformDependent;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An authenticated source that asks for hashes and never reads the answers: the receiver stops
 * reading from it instead of buffering the answers, its memory stays bounded, another source
 * replicates meanwhile, and once the hostile connection is gone its id can connect again.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TargetHostileSourceTest {
    private static final int BLOCK = 4096;
    /** Each request names the most chunks allowed: its answer is 128 KiB. */
    private static final int CHUNKS = HashRequest.MAX_CHUNKS;
    private static final int HOSTILE_REQUESTS = 30_000;
    private static final VolumeInfo HOSTILE_DISK = new VolumeInfo("disk0", (long) CHUNKS * BLOCK, BLOCK);
    private static final VolumeInfo DISK = new VolumeInfo("disk0", 16L << 20, BLOCK);
    private static final long MAX_QUEUED_BYTES = 4L << 20;
    /**
     * Growth of the JVM's direct memory allowed while the attack runs: the legitimate session's queue
     * (4 MiB), the hostile session's answers up to the write-buffer high-water mark (1 MiB) and one
     * answer more, and the allocator's chunks. Without back-pressure the answers pile up: 30,000 x
     * 128 KiB is 3.75 GiB.
     */
    private static final long DIRECT_BOUND_BYTES = 48L << 20;
    /** Growth of the heap after a full GC allowed while the attack runs. */
    private static final long HEAP_BOUND_BYTES = 64L << 20;

    @TempDir
    Path dataDir;

    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
            .stream().filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** Direct memory in use: the JDK's direct buffers, and Netty's own when it allocates without them. */
    private static long directUsed() {
        return DIRECT.getMemoryUsed() + Math.max(0, PlatformDependent.usedDirectMemory());
    }

    private static long heapAfterGc() {
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /** Starts sending {@link #HOSTILE_REQUESTS} hash requests for the largest answers, until the connection closes. */
    private static Thread flood(TestSource hostile) {
        Thread flood = new Thread(() -> {
            try {
                for (int i = 0; i < HOSTILE_REQUESTS; i++) {
                    hostile.send(new HashRequest(i, 0, 0, BLOCK, CHUNKS));
                }
            } catch (IOException e) {
                // the connection was closed, by the test or by the receiver
            }
        }, "hostile-flood");
        flood.start();
        return flood;
    }

    /** Whether the thread named {@code name} waits for writability, that is for its source to read what it sent. */
    private static boolean waitingForItsSourceToRead(String name) {
        for (var entry : Thread.getAllStackTraces().entrySet()) {
            if (entry.getKey().getName().equals(name) && entry.getKey().getState() == Thread.State.TIMED_WAITING) {
                for (StackTraceElement frame : entry.getValue()) {
                    if (frame.getMethodName().equals("awaitWritable")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Test
    void shouldBoundWhatAHostileSourceHoldsWhileAnotherReplicatesAndFreeItsIdWhenItLeaves() throws Exception {
        try (TargetFixture target = new TargetFixture(dataDir, b -> b.maxQueuedBytes(MAX_QUEUED_BYTES),
                FileChannelOpener.DEFAULT)) {
            InetSocketAddress address = target.server.localAddress();
            long heapBefore = heapAfterGc();
            long directBefore = directUsed();
            AtomicLong directMax = new AtomicLong(directBefore);
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    directMax.accumulateAndGet(directUsed(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "direct-memory-sampler");
            sampler.start();

            // The hostile source: a small receive window, and after HELLO_ACK it never reads.
            TestSource hostile = TestSource.connectWithReceiveBuffer(address, 4096);
            hostile.hello("evil", HOSTILE_DISK);
            Thread flood = flood(hostile);

            // A legitimate source replicates 16 MiB meanwhile and its barrier is answered.
            try (TestSource source = TestSource.connect(address)) {
                source.hello("web2", DISK);
                long sequence = 0;
                for (long offset = 0; offset < DISK.sizeBytes(); offset += BLOCK) {
                    source.send(target.block(0, ++sequence, offset, TargetFixture.random(sequence, BLOCK)));
                }
                source.send(new Barrier(1, sequence));
                Frame frame;
                do {
                    frame = source.read();
                } while (frame instanceof Ack);
                assertEquals(sequence, assertInstanceOf(BarrierAck.class, frame).durableSequence());
            }

            // Wait until the receiver works no more for the hostile source (its apply thread waits for the
            // source to read), or until what it holds passes the bound.
            while (!waitingForItsSourceToRead("replicator-apply-evil")
                    && directMax.get() - directBefore <= DIRECT_BOUND_BYTES) {
                Thread.sleep(10);
            }
            long heapGrowth = heapAfterGc() - heapBefore;
            sampler.interrupt();
            sampler.join();
            long directGrowth = directMax.get() - directBefore;
            System.out.printf("while %d hash requests went unanswered: direct memory grew by at most %d bytes, the heap "
                    + "after GC by %d bytes%n", HOSTILE_REQUESTS, directGrowth, heapGrowth);
            assertTrue(directGrowth <= DIRECT_BOUND_BYTES, "direct memory grew by " + directGrowth + " bytes (bound "
                    + DIRECT_BOUND_BYTES + ")");
            assertTrue(heapGrowth <= HEAP_BOUND_BYTES, "the heap grew by " + heapGrowth + " bytes after GC (bound "
                    + HEAP_BOUND_BYTES + ")");

            hostile.close();
            flood.join();
            try (TestSource again = TestSource.connectWhenFree(address, "evil", 60_000, HOSTILE_DISK)) {
                assertEquals(0, again.helloAck.durableSequence());
            }
        }
    }

    @Test
    void shouldCloseASourceThatTakesNothingOfWhatItWasSentForTheIdleTimeout() throws Exception {
        try (TargetFixture target = new TargetFixture(dataDir, b -> b.maxQueuedBytes(MAX_QUEUED_BYTES)
                .heartbeatIntervalMs(100).idleTimeoutMs(1_000), FileChannelOpener.DEFAULT);
                TestSource hostile = TestSource.connectWithReceiveBuffer(target.server.localAddress(), 4096)) {
            hostile.hello("evil", HOSTILE_DISK);
            Thread flood = flood(hostile);
            // The hostile connection stays open on this side: the receiver must close it to free the id.
            try (TestSource again = TestSource.connectWhenFree(target.server.localAddress(), "evil", 60_000,
                    HOSTILE_DISK)) {
                assertEquals(0, again.helloAck.durableSequence());
            }
            flood.join();
        }
    }
}
