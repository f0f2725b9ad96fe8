package io.replicator.target.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.internal.FileChannelOpener;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the receiver remembers about the holes of the images it creates does not grow with their size. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HugeImageBookkeepingTest {
    private static final long FOUR_TIB = 4L << 40;
    private static final int BLOCK = 4096;
    /** Far below what a bitmap of 4 TiB in blocks of 4 KiB needs: 128 MiB per image. */
    private static final long BOUND_BYTES = 1L << 20;

    @TempDir
    Path dataDir;

    @Test
    void shouldKeepTheBookkeepingOfTwo4TibImagesSmallWhenTheirLastBlocksAreWritten() throws Exception {
        VolumeOpener opener = new VolumeOpener(dataDir, Map.of(), FileChannelOpener.DEFAULT);
        List<VolumeInfo> infos = List.of(new VolumeInfo("disk0", FOUR_TIB, BLOCK), new VolumeInfo("disk1", FOUR_TIB, BLOCK));
        List<TargetVolume> volumes = opener.open("web1", infos);
        try {
            for (TargetVolume volume : volumes) {
                assertEquals(FOUR_TIB, Files.size(volume.path()));
                volume.write(ByteBuffer.wrap(new byte[BLOCK]), FOUR_TIB - BLOCK);
                assertFalse(volume.holdsZeros(FOUR_TIB - BLOCK, BLOCK), "the last block was written");
                assertTrue(volume.holdsZeros(FOUR_TIB - 2 * BLOCK, BLOCK), "the block before it is a hole");
                assertTrue(volume.holdsZeros(0, 1 << 20), "the first MiB is a hole");
            }
            long bytes = opener.unwrittenBookkeepingBytes();
            assertTrue(bytes <= BOUND_BYTES, "two 4 TiB images are tracked in " + bytes + " bytes (bound "
                    + BOUND_BYTES + ")");
        } finally {
            for (TargetVolume volume : volumes) {
                volume.close();
            }
        }
    }
}
