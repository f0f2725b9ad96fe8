package io.replicator.source.track;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private static List<Long> dirty(DirtyMap map) {
        List<Long> out = new ArrayList<>();
        for (long b = map.nextDirty(0); b >= 0; b = map.nextDirty(b + 1)) {
            out.add(b);
        }
        return out;
    }

    private static long lastDirty(DirtyMap map) {
        List<Long> all = dirty(map);
        return all.get(all.size() - 1);
    }
}
