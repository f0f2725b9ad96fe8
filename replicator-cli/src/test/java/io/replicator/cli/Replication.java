package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TestPki;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A target and a source on loopback for end-to-end tests, with mutual TLS from the shared
 * {@link TestPki} unless {@link #plaintext} is set, plus a writer that keeps a volume busy.
 */
final class Replication implements AutoCloseable {
    final Path dir;
    /** Plain TCP on loopback ({@code insecurePlaintext}) instead of mutual TLS. */
    boolean plaintext;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TargetServer target;
    SourceDaemon source;
    InetSocketAddress targetAddress = new InetSocketAddress("127.0.0.1", 0);
    /** How the receiver starts: {@link TargetServer#start}, or a variant whose disk fills up on demand. */
    TargetStarter targetStarter = TargetServer::start;

    @FunctionalInterface
    interface TargetStarter {
        TargetServer start(TargetConfig config, MeterRegistry registry) throws IOException;
    }

    Replication(Path dir) {
        this.dir = dir;
    }

    TargetServer startTarget() throws IOException {
        TargetConfig.Builder b = TargetConfig.builder().listen(targetAddress).dataDir(dir.resolve("target"));
        target = targetStarter.start((plaintext ? b.insecurePlaintext(true) : b.pki(TestPki.shared().bundle(
                Role.TARGET, TestPki.TARGET_NAME))).build(), registry);
        targetAddress = target.localAddress();
        return target;
    }

    SourceDaemon startSource(Path volume, String name) throws Exception {
        source = SourceDaemon.start(sourceConfig(volume, name).build(), registry);
        return source;
    }

    SourceConfig.Builder sourceConfig(Path volume, String name) {
        SourceConfig.Builder b = SourceConfig.builder().target(targetAddress).volume(volume, name)
                .stateDir(dir.resolve("state")).id("src").tracker(SourceConfig.Tracker.SCAN).scanIntervalMs(200)
                .reconnectMs(50, 500);
        return plaintext ? b.insecurePlaintext(true) : b.pki(TestPki.shared().bundle(Role.SOURCE, "src"));
    }

    Path targetImage(String name) {
        return dir.resolve("target").resolve("src").resolve(name + ".img");
    }

    static void assertSameBytes(Path expected, Path actual) throws IOException {
        assertEquals(-1L, Files.mismatch(expected, actual), () -> "first differing byte between " + expected + " and "
                + actual);
    }

    /** Writes random 4 KiB blocks at random offsets until stopped; returns how many. */
    static final class Writer implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong writes = new AtomicLong();
        final Thread thread;
        volatile Throwable failure;

        Writer(Path volume, long seed) {
            thread = new Thread(() -> {
                Random random = new Random(seed);
                ByteBuffer block = ByteBuffer.allocate(4096);
                try (FileChannel ch = FileChannel.open(volume, StandardOpenOption.WRITE)) {
                    long blocks = ch.size() / 4096;
                    while (running.get()) {
                        random.nextBytes(block.array());
                        block.clear();
                        ch.write(block, (random.nextLong() & Long.MAX_VALUE) % blocks * 4096);
                        if (writes.incrementAndGet() % 32 == 0) {
                            Thread.sleep(2);
                        }
                    }
                } catch (Throwable t) {
                    failure = t;
                }
            }, "test-writer");
            thread.start();
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            thread.join();
            if (failure != null) {
                throw new AssertionError("writer failed", failure);
            }
        }
    }

    @Override
    public void close() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }
}
