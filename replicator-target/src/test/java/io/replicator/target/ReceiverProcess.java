package io.replicator.target;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A receiver in a process of its own, for tests that kill it: {@code DATA_DIR JOURNAL_DIR RETAIN_MS
 * CYCLE_EVERY_MS}: plain TCP on 127.0.0.1 (port printed as {@code listening PORT}); with
 * {@code CYCLE_EVERY_MS} above 0 the journals' clock jumps five minutes that often, so that cycles
 * roll and retention prunes within seconds. Runs until killed.
 */
public final class ReceiverProcess {
    private ReceiverProcess() {
    }

    public static void main(String[] args) throws Exception {
        long cycleEveryMs = Long.parseLong(args[3]);
        long startMs = System.currentTimeMillis();
        AtomicLong jumps = new AtomicLong();
        TargetConfig.Builder b = TargetConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .dataDir(Path.of(args[0])).journalDir(Path.of(args[1])).retain(Duration.ofMillis(Long.parseLong(args[2])))
                .insecurePlaintext(true);
        if (cycleEveryMs > 0) {
            // Continues from where an earlier run's clock got (kept beside the journals).
            Path clock = Path.of(args[1]).resolve("test-clock");
            long offsetMs = java.nio.file.Files.exists(clock) ? Long.parseLong(java.nio.file.Files.readString(clock).trim())
                    : 0;
            b.journalClockMs(() -> {
                long jumped = offsetMs + (System.currentTimeMillis() - startMs) / cycleEveryMs * 300_000L;
                if (jumped > jumps.get()) {
                    jumps.set(jumped);
                    try {
                        java.nio.file.Files.writeString(clock, Long.toString(jumped));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return System.currentTimeMillis() + jumped;
            });
        }
        TargetServer server = TargetServer.start(b.build(), new SimpleMeterRegistry());
        System.out.println("listening " + server.localAddress().getPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
