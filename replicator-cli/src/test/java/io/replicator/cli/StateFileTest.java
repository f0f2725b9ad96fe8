package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.source.CutoverResult;
import io.replicator.source.SourceStatus;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a source does with the state it saved: trusts a clean one, and falls back to comparing
 * every block with the target when the file is torn or garbled, saying so in its status.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StateFileTest {
    private static final long VOLUME_BYTES = 16L << 20;

    @TempDir
    Path dir;

    private Path replicateAndStop(Replication r, Path volume) throws Exception {
        MixedImage.write(volume, VOLUME_BYTES, 4);
        r.startTarget();
        r.startSource(volume, "disk0");
        ReplicationEndToEndTest.waitForInitialSync(r);
        r.source.sync().get(60, TimeUnit.SECONDS);
        r.source.close();
        Path state = dir.resolve("state").resolve("disk0.state");
        assertTrue(Files.exists(state), "the source saved its state at a clean stop");
        return state;
    }

    @Test
    void shouldTrustTheStateOfACleanStop() throws Exception {
        Path volume = dir.resolve("disk0.img");
        try (Replication r = new Replication(dir)) {
            replicateAndStop(r, volume);

            r.startSource(volume, "disk0");
            r.source.sync().get(60, TimeUnit.SECONDS);

            SourceStatus s = r.source.status();
            assertNull(s.rescan(), "no rescan after a clean stop");
            assertEquals(0, s.volumes().get(0).sentBytes());
        }
    }

    @Test
    void shouldCompareEveryBlockWithTheTargetWhenTheStateFileIsGarbled() throws Exception {
        Path volume = dir.resolve("disk0.img");
        try (Replication r = new Replication(dir)) {
            Path state = replicateAndStop(r, volume);
            try (RandomAccessFile f = new RandomAccessFile(state.toFile(), "rw")) {
                f.seek(20);
                f.write(0x5A);
            }

            r.startSource(volume, "disk0");
            r.source.sync().get(60, TimeUnit.SECONDS);

            SourceStatus s = r.source.status();
            assertNotNull(s.rescan(), "status names the fallback");
            assertTrue(s.rescan().reason().contains("torn or garbled"), s.rescan().reason());
            assertFalse(s.rescan().running());
            assertEquals(0, s.volumes().get(0).sentBytes(), "every block compared equal: nothing is sent");
            CutoverResult result = r.source.cutover(List.of(), 60_000).get(90, TimeUnit.SECONDS);
            assertTrue(result.ok(), result.reason());
        }
    }

    @Test
    void shouldSendOnlyWhatDiffersAfterATornStateFile() throws Exception {
        Path volume = dir.resolve("disk0.img");
        try (Replication r = new Replication(dir)) {
            Path state = replicateAndStop(r, volume);
            byte[] bytes = Files.readAllBytes(state);
            Files.write(state, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            try (RandomAccessFile f = new RandomAccessFile(volume.toFile(), "rw")) {
                f.seek(5L << 20);
                f.write(new byte[] {1, 2, 3, 4});
            }

            r.startSource(volume, "disk0");
            r.source.sync().get(60, TimeUnit.SECONDS);

            SourceStatus s = r.source.status();
            assertTrue(s.rescan().reason().contains("torn or garbled"), s.rescan().reason());
            assertTrue(s.volumes().get(0).sentBytes() <= 65536 + 1024, "one block differs: sent "
                    + s.volumes().get(0).sentBytes());
            CutoverResult result = r.source.cutover(List.of(), 60_000).get(90, TimeUnit.SECONDS);
            assertTrue(result.ok(), result.reason());
            Replication.assertSameBytes(volume, r.targetImage("disk0"));
        }
    }
}
