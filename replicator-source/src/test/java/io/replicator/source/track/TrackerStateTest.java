package io.replicator.source.track;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TrackerStateTest {
    private static final long BLOCKS = 1000;
    private static final int BLOCK_SIZE = 65536;

    @TempDir
    Path dir;

    private Path file() {
        return TrackerState.file(dir, "disk0");
    }

    private static TrackerState sample(boolean clean) {
        byte[] dirty = new byte[(int) ((BLOCKS + 7) / 8)];
        dirty[3] = 0x11;
        dirty[100] = (byte) 0x80;
        return new TrackerState(7, clean, true, BLOCKS, BLOCK_SIZE, 500, 123456, 98765, "f73db6f0-2648-4674",
                clean ? dirty : null);
    }

    @Test
    void shouldReadBackEveryFieldOfACleanStop() throws Exception {
        TrackerState saved = sample(true);
        saved.save(file());

        TrackerState.Loaded loaded = TrackerState.load(file(), BLOCKS, BLOCK_SIZE);

        assertNull(loaded.problem());
        TrackerState s = loaded.state();
        assertEquals(7, s.generation());
        assertTrue(s.clean());
        assertTrue(s.kernel());
        assertEquals(500, s.cursorBlock());
        assertEquals(123456, s.lastAckSequence());
        assertEquals(98765, s.deviceWrittenSectors());
        assertEquals("f73db6f0-2648-4674", s.bootId());
        assertArrayEquals(saved.dirty(), s.dirty());
        assertFalse(Files.exists(file().resolveSibling(file().getFileName() + ".tmp")), "no temporary file left");
    }

    @Test
    void shouldKeepNoDirtyMapForARunningDaemon() throws Exception {
        sample(false).save(file());

        TrackerState s = TrackerState.load(file(), BLOCKS, BLOCK_SIZE).state();

        assertFalse(s.clean());
        assertNull(s.dirty());
    }

    @Test
    void shouldTreatAMissingFileAsAFirstStart() throws Exception {
        TrackerState.Loaded loaded = TrackerState.load(file(), BLOCKS, BLOCK_SIZE);

        assertNull(loaded.state());
        assertNull(loaded.problem());
    }

    @Test
    void shouldDetectATornWrite() throws Exception {
        sample(true).save(file());
        byte[] bytes = Files.readAllBytes(file());
        for (int keep : new int[] {0, 3, 40, bytes.length / 2, bytes.length - 1}) {
            Files.write(file(), Arrays.copyOf(bytes, keep));

            TrackerState.Loaded loaded = TrackerState.load(file(), BLOCKS, BLOCK_SIZE);

            assertNull(loaded.state(), "torn at " + keep);
            assertTrue(loaded.problem().contains("torn or garbled"), loaded.problem());
        }
    }

    @Test
    void shouldDetectEverySingleFlippedByte() throws Exception {
        sample(true).save(file());
        byte[] bytes = Files.readAllBytes(file());
        for (int i = 0; i < bytes.length; i++) {
            byte[] garbled = bytes.clone();
            garbled[i] ^= 0x20;
            Files.write(file(), garbled);

            TrackerState.Loaded loaded = TrackerState.load(file(), BLOCKS, BLOCK_SIZE);

            assertNull(loaded.state(), "byte " + i);
            assertTrue(loaded.problem().contains(file().toString()), loaded.problem());
        }
    }

    @Test
    void shouldRefuseAStateWrittenForAnotherVolumeGeometry() throws Exception {
        sample(true).save(file());

        TrackerState.Loaded loaded = TrackerState.load(file(), BLOCKS * 2, BLOCK_SIZE);

        assertNull(loaded.state());
        assertTrue(loaded.problem().contains("1000 blocks of 65536 bytes"), loaded.problem());
        assertTrue(loaded.problem().contains("2000 blocks"), loaded.problem());
    }

    @Test
    void shouldReplaceAnOlderStateAsAWhole() throws Exception {
        sample(true).save(file());
        new TrackerState(8, false, true, BLOCKS, BLOCK_SIZE, 900, 200000, -1, "b", null).save(file());

        TrackerState s = TrackerState.load(file(), BLOCKS, BLOCK_SIZE).state();

        assertEquals(8, s.generation());
        assertEquals(900, s.cursorBlock());
        assertEquals(-1, s.deviceWrittenSectors());
        assertNull(s.dirty());
    }
}
