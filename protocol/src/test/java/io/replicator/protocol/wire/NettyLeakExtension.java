package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's {@link ResourceLeakDetector} reports a {@code ByteBuf} that was garbage
 * collected without being released. The build runs tests with {@code
 * -Dio.netty.leakDetectionLevel=paranoid}, so every buffer is tracked; this extension hangs a
 * listener on the buffer leak detector and, after each test, runs the collector and allocates so
 * that Netty drains its reference queue. A leak is reported to the test that was running when the
 * collector found it. Thread-safe: the listener may be called from any thread.
 */
public final class NettyLeakExtension implements BeforeAllCallback, AfterEachCallback {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final int GC_ROUNDS = 2;

    static {
        install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // The static initializer installed the listener; nothing else to prepare.
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " ByteBuf leak(s) reported by Netty's leak detector:\n" + String.join("\n", leaks));
        }
    }

    /** Collects garbage, lets Netty report what it found, and returns the leaks reported since the last call. */
    public static List<String> collectLeaks() {
        for (int round = 0; round < GC_ROUNDS; round++) {
            System.gc();
            try {
                // The reference handler thread enqueues the collected trackers after the collection.
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the leak detector", e);
            }
            // In paranoid mode every tracked allocation first reports what the collector enqueued.
            ByteBufAllocator.DEFAULT.heapBuffer(1).release();
            ByteBufAllocator.DEFAULT.directBuffer(1).release();
        }
        List<String> leaks = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            leaks.add(leak);
        }
        return leaks;
    }

    private static void install() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("tests must run with -Dio.netty.leakDetectionLevel=paranoid, not "
                    + ResourceLeakDetector.getLevel());
        }
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((resourceType, records) -> LEAKS.add("LEAK of " + resourceType + ":" + records));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach Netty's ByteBuf leak detector", e);
        }
    }
}
