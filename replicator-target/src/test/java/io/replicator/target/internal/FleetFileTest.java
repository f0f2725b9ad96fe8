package io.replicator.target.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet file round-trips, and a torn or garbled one reads as missing, never as other counters. */
class FleetFileTest {
    @TempDir
    Path dir;

    private static final FleetFile.Entry ENTRY = new FleetFile.Entry(1_765_000_000_000L, List.of(
            new FleetFile.Volume("disk0", "/data/web1/disk0.img", 8L << 30, 123_456_789L),
            new FleetFile.Volume("données", "/dev/sdb", 1L << 40, 0)));

    @Test
    void shouldReadBackWhatItWrote() throws Exception {
        assertNull(FleetFile.read(dir), "a source never seen");
        FleetFile.write(dir, ENTRY);
        assertEquals(ENTRY, FleetFile.read(dir));
        assertEquals(List.of(dir.resolve("fleet")), Files.list(dir).toList(), "no temporary file left");
    }

    @Test
    void shouldReadATornOrGarbledFileAsMissing() throws Exception {
        FleetFile.write(dir, ENTRY);
        byte[] good = Files.readAllBytes(dir.resolve("fleet"));
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 200; i++) {
            byte[] bad = good.clone();
            if (random.nextBoolean()) {
                bad = java.util.Arrays.copyOf(bad, random.nextInt(bad.length));
            } else {
                bad[random.nextInt(bad.length)] ^= (byte) (1 + random.nextInt(255));
            }
            Files.write(dir.resolve("fleet"), bad);
            assertNull(FleetFile.read(dir), "seed " + seed + ", case " + i);
        }
    }
}
