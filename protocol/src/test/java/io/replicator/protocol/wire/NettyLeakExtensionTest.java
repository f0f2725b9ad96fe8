package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Proves that {@link NettyLeakExtension} really sees a leaked buffer, so that a green run means something. */
@ExtendWith(NettyLeakExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyLeakExtensionTest {

    @Test
    void shouldReportBufferThatWasNeverReleased() {
        NettyLeakExtension.collectLeaks();
        leakOneBuffer();
        List<String> leaks = new ArrayList<>();
        for (int attempt = 0; attempt < 20 && leaks.isEmpty(); attempt++) {
            leaks.addAll(NettyLeakExtension.collectLeaks());
        }
        assertTrue(leaks.stream().anyMatch(l -> l.contains("leakOneBuffer")),
                "the leak detector did not report the leaked buffer: " + leaks);
    }

    @Test
    void shouldReportNothingWhenEveryBufferIsReleased() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(16);
        buf.writeLong(1).release();
        assertTrue(NettyLeakExtension.collectLeaks().isEmpty());
    }

    private static void leakOneBuffer() {
        ByteBuf buf = ByteBufAllocator.DEFAULT.heapBuffer(64);
        buf.writeLong(42);
    }
}
