package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.block.ZeroCheck;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockRunTest {
    private static final int BLOCK = 4096;

    private static ByteBuffer randomBlocks(int blocks) {
        byte[] bytes = new byte[blocks * BLOCK];
        new Random(7).nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    private static boolean add(BlockRun run, int volume, long block, ByteBuffer source, int index, int maxRunBytes) {
        boolean zero = ZeroCheck.isAllZero(source.slice(index * BLOCK, BLOCK));
        return run.tryAdd(volume, block, source, index * BLOCK, BLOCK, zero, 100 + block, true, maxRunBytes);
    }

    @Test
    void shouldJoinConsecutiveBlocksOfOneBufferIntoOneRun() {
        ByteBuffer data = randomBlocks(4);
        BlockRun run = new BlockRun();
        for (int i = 0; i < 4; i++) {
            assertTrue(add(run, 0, 10 + i, data, i, 1 << 20));
        }
        assertEquals(4, run.count());
        assertEquals(10, run.firstBlock());
        assertEquals(data.duplicate().clear(), run.bytes());
        assertEquals(113, run.fingerprint(3));
    }

    @Test
    void shouldNotJoinAGapAnotherVolumeOrAnotherBuffer() {
        ByteBuffer data = randomBlocks(4);
        BlockRun run = new BlockRun();
        assertTrue(add(run, 0, 10, data, 0, 1 << 20));
        assertFalse(add(run, 0, 12, data, 2, 1 << 20), "a block further on");
        assertFalse(add(run, 1, 11, data, 1, 1 << 20), "another volume");
        assertFalse(add(run, 0, 11, randomBlocks(4), 1, 1 << 20), "another buffer");
        assertFalse(add(run, 0, 11, data, 2, 1 << 20), "not adjacent in the buffer");
        assertEquals(1, run.count());
    }

    @Test
    void shouldKeepZeroBlocksAndDataBlocksInRunsOfTheirOwn() {
        ByteBuffer data = randomBlocks(3);
        data.put(BLOCK, new byte[BLOCK]);
        BlockRun run = new BlockRun();
        assertTrue(add(run, 0, 0, data, 0, 1 << 20));
        assertFalse(add(run, 0, 1, data, 1, 1 << 20), "a zero block after data");
        run.clear();
        assertTrue(run.isEmpty());
        assertTrue(add(run, 0, 1, data, 1, 1 << 20));
        assertFalse(add(run, 0, 2, data, 2, 1 << 20), "data after a zero block");
    }

    @Test
    void shouldStopDataRunsAt64KiBAndAtTheTargetsLimit() {
        ByteBuffer data = randomBlocks(17);
        BlockRun run = new BlockRun();
        for (int i = 0; i < 16; i++) {
            assertTrue(add(run, 0, i, data, i, 1 << 20));
        }
        assertFalse(add(run, 0, 16, data, 16, 1 << 20), "past " + BlockRun.MAX_DATA_BYTES);
        BlockRun single = new BlockRun();
        assertTrue(add(single, 0, 0, data, 0, BLOCK));
        assertFalse(add(single, 0, 1, data, 1, BLOCK), "a target without runs takes one block per frame");
    }

    @Test
    void shouldLetZeroRunsGrowToTheLimit() {
        ByteBuffer zeros = ByteBuffer.allocate(64 * BLOCK);
        BlockRun run = new BlockRun();
        for (int i = 0; i < 64; i++) {
            assertTrue(add(run, 0, i, zeros, i, 64 * BLOCK));
        }
        assertEquals(64 * BLOCK, run.bytes().remaining());
        assertTrue(run.isZero());
    }
}
