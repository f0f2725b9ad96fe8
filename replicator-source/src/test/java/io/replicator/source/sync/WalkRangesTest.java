package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.source.track.DirtyMap;
import org.junit.jupiter.api.Test;

class WalkRangesTest {
    private static final int BS = 4096;

    private static DirtyMap marked(long blockCount, long... blocks) {
        DirtyMap map = new DirtyMap(blockCount, BS);
        for (long b : blocks) {
            map.mark(b);
        }
        return map;
    }

    @Test
    void shouldReadDirtyBlocksAFewCleanBlocksApartAsOneRangeAndClearOnlyTheDirtyOnes() {
        DirtyMap map = marked(1000, 10, 11, 10 + 1 + WalkRanges.READ_GAP_BLOCKS + 1, 100);
        WalkRanges w = new WalkRanges(256);

        assertEquals(2, w.take(map, BS, 0, 1000, 256));
        // 10, 11, then 15 clean blocks, then 27: one range of 18 blocks; 100 is too far.
        assertEquals(10L * BS, w.offsets[0]);
        assertEquals(18 * BS, w.lengths[0]);
        assertEquals(0, w.positions[0]);
        assertEquals(100L * BS, w.offsets[1]);
        assertEquals(BS, w.lengths[1]);
        assertEquals(18 * BS, w.positions[1]);
        assertEquals(4, w.taken);
        assertEquals(27, w.blocks[2]);
        assertEquals(0, w.rangeOf[2]);
        assertEquals(1, w.rangeOf[3]);
        assertEquals(1000, w.next, "nothing dirty is left below the limit");
        assertEquals(0, map.count());
    }

    @Test
    void shouldStartAnotherRangeOneBlockBeyondTheGap() {
        DirtyMap map = marked(1000, 10, 10 + 1 + WalkRanges.READ_GAP_BLOCKS + 1 + 1);
        WalkRanges w = new WalkRanges(256);

        assertEquals(2, w.take(map, BS, 0, 1000, 256));
        assertEquals(BS, w.lengths[0]);
        assertEquals(BS, w.lengths[1]);
    }

    @Test
    void shouldStopAtTheRoomOfAReadUnitAndLeaveTheRestDirty() {
        DirtyMap map = new DirtyMap(1000, BS);
        for (long b = 0; b < 300; b++) {
            map.mark(b);
        }
        WalkRanges w = new WalkRanges(256);

        assertEquals(1, w.take(map, BS, 0, 1000, 256));
        assertEquals(256 * BS, w.lengths[0]);
        assertEquals(256, w.next);
        assertEquals(300 - 256, map.count());
        assertTrue(map.isDirty(256));
        assertEquals(1, w.take(map, BS, w.next, 1000, 256));
        assertEquals(44 * BS, w.lengths[0]);
        assertEquals(0, map.count());
    }

    @Test
    void shouldTakeAtMostMaxRangesAStep() {
        DirtyMap map = new DirtyMap(100_000, BS);
        for (int i = 0; i <= WalkRanges.MAX_RANGES; i++) {
            map.mark(i * 100L);
        }
        WalkRanges w = new WalkRanges(2048);

        assertEquals(WalkRanges.MAX_RANGES, w.take(map, BS, 0, 100_000, 2048));
        assertEquals((WalkRanges.MAX_RANGES - 1) * 100L + 1, w.next);
        assertEquals(1, map.count());
    }

    @Test
    void shouldLeaveBlocksAtOrBeyondTheLimitAndGoOnFromTheLimitWhenNothingIsBelowIt() {
        DirtyMap map = marked(1000, 500, 501);
        WalkRanges w = new WalkRanges(256);

        assertEquals(0, w.take(map, BS, 0, 500, 256));
        assertEquals(500, w.next);
        assertEquals(2, map.count());
        assertEquals(1, w.take(map, BS, 0, 501, 256));
        assertEquals(BS, w.lengths[0]);
        assertTrue(map.isDirty(501));
        assertFalse(map.isDirty(500));
    }
}
