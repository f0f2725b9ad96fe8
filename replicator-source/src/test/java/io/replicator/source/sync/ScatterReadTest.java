package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.replicator.source.volume.SourceVolume;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScatterReadTest {
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    @Test
    void shouldReadScatteredRangesSideBySideAndTheShortTail() throws Exception {
        byte[] content = new byte[100 * BLOCK + 123];
        new Random(3).nextBytes(content);
        Path file = dir.resolve("v.img");
        Files.write(file, content);
        long[] blocks = {0, 7, 8, 50, 99, 100, 31, 2, 64, 77, 12, 90};
        int[] counts = {1, 1, 3, 2, 1, 1, 1, 4, 1, 2, 1, 1};
        int n = blocks.length;
        long[] offsets = new long[n];
        int[] lengths = new int[n];
        int[] positions = new int[n];
        int used = 0;
        for (int i = 0; i < n; i++) {
            offsets[i] = blocks[i] * BLOCK;
            lengths[i] = counts[i] * BLOCK;
            positions[i] = used;
            used += counts[i] * BLOCK;
        }
        ByteBuffer dst = SourceVolume.allocateAligned(used);
        try (SourceVolume volume = SourceVolume.open(file, "v"); ScatterRead read = new ScatterRead("test")) {
            read.readAll(volume, offsets, lengths, positions, n, dst);
        }
        for (int i = 0; i < n; i++) {
            int expected = (int) Math.min(counts[i] * BLOCK, content.length - offsets[i]);
            assertEquals(expected, lengths[i], "range " + i + " length");
            for (int b = 0; b < expected; b++) {
                if (dst.get(positions[i] + b) != content[(int) offsets[i] + b]) {
                    throw new AssertionError("range " + i + " differs at byte " + b);
                }
            }
        }
    }
}
