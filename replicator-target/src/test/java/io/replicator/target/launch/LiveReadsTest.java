package io.replicator.target.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The live volume read in chunks, around the page cache where it can be and through it where not. */
@Timeout(30)
class LiveReadsTest {
    @TempDir
    Path tmp;

    @Test
    void shouldReadAlignedChunksAndAnUnalignedTailAsTheFileHoldsThem() throws Exception {
        byte[] data = new byte[(3 << 20) + 512]; // the last chunk is not a multiple of 4096
        new SplittableRandom(7).nextBytes(data);
        Path image = Files.write(tmp.resolve("vol.img"), data);
        LaunchVolume volume = new LaunchVolume("vol", 0, image, data.length, 512);
        ByteBuffer chunk = ByteBuffer.allocateDirect((1 << 20) + LiveReads.ALIGNMENT).alignedSlice(LiveReads.ALIGNMENT);
        try (LiveReads reads = LiveReads.open(volume)) {
            for (long offset = 0; offset < data.length; offset += 1 << 20) {
                int length = (int) Math.min(1 << 20, data.length - offset);
                reads.readFully(chunk.clear().limit(length), offset);
                assertEquals(0, chunk.position());
                assertEquals(ByteBuffer.wrap(data, (int) offset, length), chunk, "chunk at " + offset);
            }
            ByteBuffer unalignedAddress = ByteBuffer.allocateDirect(8192 + 1).position(1).slice().limit(4096);
            reads.readFully(unalignedAddress, 4096);
            assertEquals(ByteBuffer.wrap(data, 4096, 4096), unalignedAddress);
        }
    }

    @Test
    void shouldNameTheVolumeWhenItEndsBeforeItsSize() throws Exception {
        Path image = Files.write(tmp.resolve("short.img"), new byte[8192]);
        LaunchVolume volume = new LaunchVolume("short", 0, image, 16384, 4096);
        ByteBuffer chunk = ByteBuffer.allocateDirect(16384 + LiveReads.ALIGNMENT).alignedSlice(LiveReads.ALIGNMENT);
        try (LiveReads reads = LiveReads.open(volume)) {
            IOException e = assertThrows(IOException.class, () -> reads.readFully(chunk.limit(16384), 0));
            assertTrue(e.getMessage().contains("volume short") && e.getMessage().contains("ends at 8192 bytes"),
                    e.getMessage());
        }
    }
}
