package io.replicator.target.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnwrittenBlocksTest {
    private static final int BLOCK = 4096;

    @Test
    void shouldKnowExactlyWhatWasWrittenWhileFewRangesWere() {
        UnwrittenBlocks blocks = new UnwrittenBlocks(BLOCK);
        blocks.markWritten(10L * BLOCK, 3 * BLOCK); // blocks 10-12
        blocks.markWritten(20L * BLOCK, 100);        // block 20, partly
        assertTrue(blocks.isUnwritten(0, 10 * BLOCK));
        assertFalse(blocks.isUnwritten(9L * BLOCK, 2 * BLOCK));
        assertFalse(blocks.isUnwritten(12L * BLOCK, 1));
        assertTrue(blocks.isUnwritten(13L * BLOCK, 7 * BLOCK));
        assertFalse(blocks.isUnwritten(13L * BLOCK, 7 * BLOCK + 1), "a range touching block 20 is not a hole");
        assertEquals(2, blocks.ranges());
        blocks.markWritten(13L * BLOCK, 7 * BLOCK);
        assertEquals(1, blocks.ranges(), "adjacent ranges join");
        blocks.markWritten(0, 5 * BLOCK);
        blocks.markWritten(6L * BLOCK, 4 * BLOCK);
        assertTrue(blocks.isUnwritten(5L * BLOCK, BLOCK));
        blocks.markWritten(2L * BLOCK, 10 * BLOCK);
        assertEquals(1, blocks.ranges(), "a write over several ranges joins them");
        assertFalse(blocks.isUnwritten(5L * BLOCK, BLOCK));
        assertTrue(blocks.isUnwritten(21L * BLOCK, BLOCK));
    }

    @Test
    void shouldKeepOneRangeForWritesInOrderWhateverTheVolumeSize() {
        UnwrittenBlocks blocks = new UnwrittenBlocks(BLOCK);
        long runBytes = 1 << 20;
        for (long offset = 0; offset < (64L << 30); offset += runBytes) {
            blocks.markWritten(offset, (int) runBytes);
        }
        blocks.markWritten((1L << 50) - BLOCK, BLOCK); // the last block of the largest volume: 2^38 blocks
        assertEquals(2, blocks.ranges());
        assertTrue(blocks.isUnwritten(64L << 30, BLOCK));
        assertFalse(blocks.isUnwritten((1L << 50) - BLOCK, BLOCK));
    }

    @Test
    void shouldNeverTakeAWrittenBlockForAHoleAndStayBoundedUnderRandomWrites() {
        long seed = 20240611L;
        Random random = new Random(seed);
        int volumeBlocks = 1 << 20;
        BitSet written = new BitSet(volumeBlocks);
        UnwrittenBlocks blocks = new UnwrittenBlocks(BLOCK);
        boolean coarsened = false;
        for (int op = 0; op < 50_000; op++) {
            int first = random.nextInt(volumeBlocks - 8);
            int length = 1 + random.nextInt(8);
            if (random.nextInt(3) > 0) {
                blocks.markWritten((long) first * BLOCK, length * BLOCK);
                written.set(first, first + length);
            } else {
                boolean model = written.nextSetBit(first) < 0 || written.nextSetBit(first) >= first + length;
                boolean answer = blocks.isUnwritten((long) first * BLOCK, length * BLOCK);
                assertTrue(model || !answer, "seed " + seed + ", op " + op + ": written blocks " + first + "+" + length
                        + " taken for a hole");
                coarsened |= model != answer;
            }
            assertTrue(blocks.ranges() <= UnwrittenBlocks.MAX_RANGES, "seed " + seed + ", op " + op);
            assertTrue(blocks.sizeBytes() <= UnwrittenBlocks.MAX_BYTES, "seed " + seed + ", op " + op);
        }
        assertTrue(coarsened, "the writes were many enough to merge ranges");
    }

    @Test
    void shouldMergeTheClosestRangesFirst() {
        UnwrittenBlocks blocks = new UnwrittenBlocks(BLOCK);
        // Pairs of blocks 2 apart, the pairs 1000 apart: the merges close the small gaps first.
        for (int pair = 0; pair <= UnwrittenBlocks.MAX_RANGES / 2; pair++) {
            long base = pair * 1000L;
            blocks.markWritten(base * BLOCK, BLOCK);
            blocks.markWritten((base + 2) * BLOCK, BLOCK);
        }
        assertTrue(blocks.ranges() <= UnwrittenBlocks.MAX_RANGES / 2 + 1, blocks.ranges() + " ranges");
        assertFalse(blocks.isUnwritten(BLOCK, BLOCK), "the gap of a pair counts as written once merged");
        assertTrue(blocks.isUnwritten(700_500L * BLOCK, BLOCK), "the gaps between pairs are still holes");
    }
}
