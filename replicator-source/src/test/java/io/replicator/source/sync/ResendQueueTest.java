package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResendQueueTest {
    private static InFlight.Entry lost(long sequence, int volume, long block, boolean changed, long readNs) {
        return new InFlight.Entry(sequence, volume, block, 1000 + block, 4096, 0, changed, readNs);
    }

    private static List<Long> blocksInOrder(ResendQueue q) {
        List<Long> blocks = new ArrayList<>();
        for (InFlight.Entry e : q.entries()) {
            blocks.add(e.block());
        }
        return blocks;
    }

    @Test
    void shouldGiveBackBlocksInTheOrderTheirChangesWereReadWithTheirReadTime() {
        ResendQueue q = new ResendQueue(1);
        q.addLost(List.of(lost(1, 0, 7, true, 100), lost(2, 0, 3, true, 200), lost(3, 0, 9, false, 300)));

        assertEquals(3, q.size());
        assertEquals(100, q.oldest().readNs());
        assertEquals(7, q.poll().block());
        InFlight.Entry next = q.poll();
        assertEquals(3, next.block());
        assertEquals(200, next.readNs());
        assertEquals(9, q.poll().block());
        assertNull(q.poll());
        assertNull(q.oldest());
        assertTrue(q.isEmpty());
    }

    @Test
    void shouldPutABlockResentAndLostAgainBeforeTheOnesStillWaitingThatWereReadAfterIt() {
        ResendQueue q = new ResendQueue(1);
        q.addLost(List.of(lost(1, 0, 7, true, 100), lost(2, 0, 3, true, 200), lost(3, 0, 9, true, 300)));
        InFlight.Entry resent = q.poll();
        // Sent again (keeping its first read time), then lost again with a newer block read after it.
        q.addLost(List.of(lost(10, 0, resent.block(), true, resent.readNs()), lost(11, 0, 12, true, 400)));

        assertEquals(List.of(7L, 3L, 9L, 12L), blocksInOrder(q));
        assertEquals(100, q.oldest().readNs());
    }

    @Test
    void shouldKeepTheEarlierReadTimeOfABlockQueuedTwice() {
        ResendQueue q = new ResendQueue(1);
        q.addLost(List.of(lost(1, 0, 7, true, 100), lost(2, 0, 3, true, 200)));
        // Block 3 sent again by a walk with newer bytes and lost again: its change has waited since 200.
        q.addLost(List.of(lost(5, 0, 3, true, 500)));

        assertEquals(2, q.size());
        assertEquals(List.of(7L, 3L), blocksInOrder(q));
        q.poll();
        assertEquals(200, q.poll().readNs());
        // Queued later with an earlier time (a resend lost again): the earlier time wins.
        q.addLost(List.of(lost(6, 0, 4, true, 600)));
        q.addLost(List.of(lost(7, 0, 4, true, 150)));
        assertEquals(150, q.oldest().readNs());
        assertEquals(4096, q.changedBytes(0));
    }

    @Test
    void shouldCountTheChangedBytesOfEachVolumeUntilTheyAreTakenOut() {
        ResendQueue q = new ResendQueue(2);
        q.addLost(List.of(lost(1, 0, 1, true, 100), lost(1, 1, 1, true, 110), lost(2, 1, 2, false, 120),
                lost(3, 1, 3, true, 130)));

        assertEquals(4096, q.changedBytes(0));
        assertEquals(2 * 4096, q.changedBytes(1));
        assertTrue(q.contains(1, 2));
        assertFalse(q.contains(0, 2));
        q.poll();
        assertEquals(0, q.changedBytes(0));
        assertEquals(2 * 4096, q.changedBytes(1));
        q.poll();
        assertEquals(4096, q.changedBytes(1));
        q.clear();
        assertEquals(0, q.changedBytes(1));
        assertTrue(q.isEmpty());
        assertFalse(q.contains(1, 3));
    }
}
