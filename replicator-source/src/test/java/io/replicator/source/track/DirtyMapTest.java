package io.replicator.source.track;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DirtyMapTest {

    @Test
    void shouldStartEmpty() {
        DirtyMap map = new DirtyMap(1000, 4096);
        assertEquals(0, map.count());
        assertEquals(-1, map.nextDirty(0));
    }

    @Test
    void shouldCountEachBlockOnceAndTestAndClear() {
        DirtyMap map = new DirtyMap(200, 4096);
        map.mark(7);
        map.mark(7);
        map.mark(130);
        assertEquals(2, map.count());
        assertTrue(map.clear(7));
        assertFalse(map.clear(7));
        assertEquals(1, map.count());
        assertEquals(130, map.nextDirty(0));
    }

    @Test
    void shouldMarkEveryBlockAByteRangeTouches() {
        DirtyMap map = new DirtyMap(300, 4096);
        map.markBytes(4095, 2);
        assertEquals(List.of(0L, 1L), dirty(map));
        map.markBytes(64 * 4096L, 130 * 4096L);
        assertEquals(2 + 130, map.count());
        assertEquals(193, lastDirty(map));
        assertFalse(map.isDirty(194));
        map.markBytes(10 * 4096L, 0);
        assertFalse(map.isDirty(10));
    }

    @Test
    void shouldRefuseARangeOutsideTheVolume() {
        DirtyMap map = new DirtyMap(10, 4096);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.markBytes(9 * 4096L, 4097));
        assertEquals("byte range 36864 + 4097 (expected: within 0-40960)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> map.mark(10));
        assertThrows(IllegalArgumentException.class, () -> map.clear(-1));
    }

    @Test
    void shouldMarkAllWithoutCountingBlocksTwiceOrPastTheEnd() {
        DirtyMap map = new DirtyMap(130, 512);
        map.mark(3);
        map.markAll();
        assertEquals(130, map.count());
        assertEquals(129, lastDirty(map));
        assertEquals(-1, map.nextDirty(130));
    }

    @Test
    void shouldFindTheNextDirtyBlockAcrossWords() {
        DirtyMap map = new DirtyMap(1000, 512);
        map.mark(63);
        map.mark(64);
        map.mark(999);
        assertEquals(63, map.nextDirty(0));
        assertEquals(64, map.nextDirty(64));
        assertEquals(999, map.nextDirty(65));
        assertEquals(-1, map.nextDirty(1000));
    }

    @Test
    void shouldRecordWhenTheMapBecameDirty() {
        DirtyMap map = new DirtyMap(10, 512);
        long before = System.nanoTime();
        map.mark(1);
        long since = map.dirtySinceNs();
        assertTrue(since - before >= 0);
        map.mark(2);
        assertEquals(since, map.dirtySinceNs());
        map.clear(1);
        map.clear(2);
        map.mark(3);
        assertTrue(map.dirtySinceNs() - since >= 0);
    }

    @Test
    void shouldRoundTripThroughBytes() {
        DirtyMap map = new DirtyMap(1001, 65536);
        map.mark(0);
        map.mark(64);
        map.mark(1000);
        byte[] bytes = map.toBytes();
        assertEquals(DirtyMap.HEADER_BYTES + 126, bytes.length);
        DirtyMap back = DirtyMap.fromBytes(1001, 65536, bytes);
        assertEquals(List.of(0L, 64L, 1000L), dirty(back));
        assertEquals(3, back.count());
        assertArrayEquals(bytes, back.toBytes());
    }

    @Test
    void shouldRefuseBytesOfAnotherVolumeOrGarbledMagic() {
        byte[] bytes = new DirtyMap(100, 512).toBytes();
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> DirtyMap.fromBytes(200, 512, bytes));
        assertEquals("dirty map length: 29 bytes (expected: 41)", size.getMessage());
        byte[] sameLength = new DirtyMap(101, 512).toBytes();
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> DirtyMap.fromBytes(100, 512, sameLength));
        assertEquals("dirty map of 101 blocks (expected: 100)", count.getMessage());
        bytes[0] ^= 1;
        IllegalArgumentException magic = assertThrows(IllegalArgumentException.class, () -> DirtyMap.fromBytes(100, 512, bytes));
        assertTrue(magic.getMessage().startsWith("dirty map magic 0x4d445053"), magic.getMessage());
    }

    @Test
    void shouldKeepTheCountExactUnderConcurrentMarkAndClear() throws Exception {
        DirtyMap map = new DirtyMap(4096, 512);
        Thread marker = new Thread(() -> {
            for (int round = 0; round < 200; round++) {
                for (long b = 0; b < 4096; b += 3) {
                    map.mark(b);
                }
            }
        });
        marker.start();
        for (int round = 0; round < 200; round++) {
            for (long b = map.nextDirty(0); b >= 0; b = map.nextDirty(b + 1)) {
                map.clear(b);
            }
        }
        marker.join();
        assertEquals(dirty(map).size(), map.count());
    }

    @Test
    void shouldBoundTheWaitOfDirtyBlocksByTheirRegions() {
        int r = DirtyMap.REGION_BLOCKS;
        DirtyMap map = new DirtyMap(3L * r - 5, 4096);
        assertEquals(3, DirtyMap.regionCount(map.blockCount()));
        assertEquals(Long.MIN_VALUE, map.regionMarkNs(0));
        long before = System.nanoTime();
        map.mark(10);
        long first = map.regionMarkNs(0);
        assertTrue(first - before >= 0);
        map.mark(2L * r + 1);
        map.mark(11);
        assertEquals(first, map.regionMarkNs(0), "a later mark keeps the region's earlier time");
        assertEquals(first, map.oldestMarkNs());

        // The walk takes region 0 whole: block 10 is cleared, block 11 is marked again after it passed.
        long entered = System.nanoTime();
        map.clear(10);
        map.clear(11);
        map.mark(11);
        map.regionWalked(0, entered);
        assertEquals(entered, map.regionMarkNs(0), "a block still dirty was marked after the walk reached the region");
        map.clear(11);
        map.regionWalked(0, System.nanoTime());
        assertEquals(Long.MIN_VALUE, map.regionMarkNs(0), "a region found clean has no time");
        assertEquals(map.regionMarkNs(2), map.oldestMarkNs());

        map.clear(2L * r + 1);
        map.regionWalked(2, System.nanoTime());
        long again = System.nanoTime();
        map.mark(3L * r - 6);
        assertTrue(map.regionMarkNs(2) - again >= 0, "the last, partial region");
    }

    @Test
    void shouldGiveRegionsOfALoadedMapTheTimeItWasLoaded() {
        DirtyMap map = new DirtyMap(2L * DirtyMap.REGION_BLOCKS, 4096);
        map.mark(DirtyMap.REGION_BLOCKS + 3);
        long before = System.nanoTime();
        DirtyMap back = DirtyMap.fromBytes(map.blockCount(), 4096, map.toBytes());
        assertEquals(Long.MIN_VALUE, back.regionMarkNs(0));
        assertTrue(back.regionMarkNs(1) - before >= 0);
        assertEquals(back.dirtySinceNs(), back.oldestMarkNs());
    }

    @Test
    void shouldKeepEveryDirtyBlocksRegionTimeNoLaterThanItsMarkWhileAWalkRuns() throws Exception {
        int regions = 8;
        DirtyMap map = new DirtyMap((long) regions * DirtyMap.REGION_BLOCKS, 4096);
        long[] markedBy = new long[(int) map.blockCount()];
        AtomicBoolean stop = new AtomicBoolean();
        Thread marker = new Thread(() -> {
            Random random = new Random(7);
            for (int i = 0; i < 400_000; i++) {
                int b = random.nextInt(markedBy.length);
                map.mark(b);
                markedBy[b] = System.nanoTime(); // no earlier than the mark that made it dirty
            }
            stop.set(true);
        });
        marker.start();
        while (!stop.get()) {
            for (int r = 0; r < regions; r++) {
                long entered = System.nanoTime();
                for (long b = (long) r * DirtyMap.REGION_BLOCKS; b < (long) (r + 1) * DirtyMap.REGION_BLOCKS; b++) {
                    map.clear(b);
                }
                map.regionWalked(r, entered);
            }
        }
        marker.join();
        for (long b = map.nextDirty(0); b >= 0; b = map.nextDirty(b + 1)) {
            long t = map.regionMarkNs(DirtyMap.regionOf(b));
            assertTrue(t != Long.MIN_VALUE, "block " + b + " is dirty in a region without a time");
            assertTrue(markedBy[(int) b] - t >= 0, "block " + b + ": region time after its mark");
            assertTrue(markedBy[(int) b] - map.oldestMarkNs() >= 0, "block " + b + ": oldest mark after its mark");
        }
    }

    private static List<Long> dirty(DirtyMap map) {
        List<Long> out = new ArrayList<>();
        for (long b = map.nextDirty(0); b >= 0; b = map.nextDirty(b + 1)) {
            out.add(b);
        }
        return out;
    }

    @Test
    void shouldMarkItsFollowerWithEveryLaterMarkWhoeverClearsTheMap() {
        DirtyMap map = new DirtyMap(200, 4096);
        map.mark(5);
        DirtyMap follower = map.follower();
        assertEquals(200, follower.count(), "what was written before the follower existed is not known");
        for (long b = 0; b < 200; b++) {
            follower.clear(b);
        }
        map.mark(5); // already dirty in the map: the follower is marked all the same
        assertTrue(map.clear(5));
        map.markBytes(130 * 4096L + 100, 4096);
        assertEquals(List.of(5L, 130L, 131L), dirty(follower));
        map.markAll();
        assertEquals(200, follower.count());
        for (long b = 0; b < 200; b++) {
            follower.clear(b);
        }
        map.mark(9);
        assertEquals(List.of(9L), dirty(follower));
        assertTrue(follower == map.follower(), "one follower per map");
    }

    private static long lastDirty(DirtyMap map) {
        List<Long> all = dirty(map);
        return all.get(all.size() - 1);
    }
}
