package io.replicator.target.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Encoding;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
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

    @Test
    void shouldCountAHashRequestAtTheSizeOfItsAnswer() {
        long maxQueuedBytes = 4L << 20;
        List<String> hashSignals = new ArrayList<>();
        ApplyQueue hashes = new ApplyQueue(maxQueuedBytes, new ApplyQueue.Pressure() {
            @Override
            public void pauseReading() {
                hashSignals.add("pause");
            }

            @Override
            public void resumeReading() {
                hashSignals.add("resume");
            }
        });
        long answerBytes = (long) HashRequest.MAX_CHUNKS * HashResponse.HASH_LENGTH;
        int offered = 0;
        while (hashSignals.isEmpty() && offered < 30_000) {
            hashes.offer(new ApplyTask.Hash(new HashRequest(offered++, 0, 0, 4096, HashRequest.MAX_CHUNKS)));
        }
        assertEquals(List.of("pause"), hashSignals, "30,000 requests for 128 KiB answers each");
        assertTrue(offered <= maxQueuedBytes / answerBytes + 1, "reading pauses once the answers pass the limit, "
                + "after " + offered + " requests");
        assertTrue(hashes.queuedBytes() > Math.max(maxQueuedBytes, offered * answerBytes),
                hashes.queuedBytes() + " bytes counted");
    }
}
