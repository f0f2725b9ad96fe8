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

    @Test
    void shouldPlaceRangesByCapacityWhateverTheBuffersLimit() throws Exception {
        byte[] content = new byte[16 * BLOCK];
        new Random(5).nextBytes(content);
        Path file = dir.resolve("w.img");
        Files.write(file, content);
        long[] offsets = {3L * BLOCK, 9L * BLOCK};
        int[] lengths = {2 * BLOCK, BLOCK};
        int[] positions = {0, 2 * BLOCK};
        ByteBuffer dst = SourceVolume.allocateAligned(4 * BLOCK);
        dst.limit(BLOCK); // as a read of one block leaves it
        try (SourceVolume volume = SourceVolume.open(file, "w"); ScatterRead read = new ScatterRead("test")) {
            read.readAll(volume, offsets, lengths, positions, 2, dst);
        }
        assertEquals(BLOCK, dst.limit(), "the caller's limit is left alone");
        ByteBuffer all = dst.duplicate().clear();
        for (int b = 0; b < 2 * BLOCK; b++) {
            assertEquals(content[3 * BLOCK + b], all.get(b), "first range, byte " + b);
        }
        for (int b = 0; b < BLOCK; b++) {
            assertEquals(content[9 * BLOCK + b], all.get(2 * BLOCK + b), "second range, byte " + b);
        }
    }
}
