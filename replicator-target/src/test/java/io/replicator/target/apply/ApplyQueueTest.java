package io.replicator.target.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Encoding;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ApplyQueueTest {
    private final List<String> signals = new ArrayList<>();
    private final ApplyQueue queue = new ApplyQueue(3 * 1024, new ApplyQueue.Pressure() {
        @Override
        public void pauseReading() {
            signals.add("pause");
        }

        @Override
        public void resumeReading() {
            signals.add("resume");
        }
    });

    private static ApplyTask block(long sequence) {
        return new ApplyTask.Apply(new BlockFrame(0, Encoding.RAW, sequence, 0, 1024,
                0, Unpooled.buffer(1024).writeZero(1024)));
    }

    @Test
    void shouldPauseAboveTheLimitAndResumeBelowHalf() throws InterruptedException {
        for (int i = 1; i <= 3; i++) {
            queue.offer(block(i));
        }
        assertEquals(List.of("pause"), signals);
        ((ApplyTask.Apply) queue.take()).frame().release();
        assertEquals(List.of("pause"), signals);
        ((ApplyTask.Apply) queue.take()).frame().release();
        assertEquals(List.of("pause", "resume"), signals);
        ((ApplyTask.Apply) queue.take()).frame().release();
        assertEquals(0, queue.queuedBytes());
    }

    @Test
    void shouldReleaseQueuedAndLaterFramesOnceClosed() throws InterruptedException {
        ApplyTask.Apply first = (ApplyTask.Apply) block(1);
        queue.offer(first);
        queue.close();
        assertEquals(0, first.frame().refCnt());
        ApplyTask.Apply late = (ApplyTask.Apply) block(2);
        queue.offer(late);
        assertEquals(0, late.frame().refCnt());
        assertNull(queue.poll(0));
    }
}
