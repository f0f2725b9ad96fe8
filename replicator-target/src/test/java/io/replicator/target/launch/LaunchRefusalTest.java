package io.replicator.target.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad launch requests are refused with a message naming what was wrong, and nothing is written:
 * an unknown source or checkpoint, a pruned one, an output directory that is missing or inside the
 * receiver's directories, an image that exists, a map naming no volume or no device, a volume with
 * nowhere to go. Partial files of a launch that did not finish are deleted by the next start.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LaunchRefusalTest {
    @TempDir
    Path tmp;
    private UndoRig rig;
    private Launcher launcher;
    private Path out;

    @BeforeEach
    void history() throws Exception {
        rig = new UndoRig(tmp.resolve("data"), tmp.resolve("journal"), "web1", 4096, 1L << 20, 1L << 20);
        rig.write(0, 3, new byte[8192]);
        rig.checkpoint(1);
        rig.write(0, 3, "after one".getBytes());
        rig.checkpoint(2);
        rig.prune(1);
        launcher = new Launcher(rig, new PartialLedger(rig.dataDir));
        out = Files.createDirectories(tmp.resolve("out"));
    }

    @AfterEach
    void close() throws Exception {
        rig.close();
    }

    private LaunchException refused(String source, String checkpoint, Path dir, Map<String, Path> map) {
        return assertThrows(LaunchException.class,
                () -> launcher.launch(new LaunchRequest(source, checkpoint, dir, map)));
    }

    @Test
    void shouldRefuseAnUnknownSourceOrCheckpointNamingIt() {
        LaunchException source = refused("db9", "2", out, Map.of());
        assertEquals(404, source.status());
        assertTrue(source.getMessage().contains("no history of source 'db9' (sources with history: web1)"),
                source.getMessage());
        LaunchException checkpoint = refused("web1", "7", out, Map.of());
        assertEquals(404, checkpoint.status());
        assertTrue(checkpoint.getMessage().startsWith("source web1 has no checkpoint 7 (it has 1 to 2"),
                checkpoint.getMessage());
        assertEquals(400, refused("web1", "seven", out, Map.of()).status());
    }

    @Test
    void shouldRefuseAPrunedCheckpointSayingWhatHistoryIsKept() {
        LaunchException pruned = refused("web1", "1", out, Map.of());
        assertEquals(409, pruned.status());
        assertTrue(pruned.getMessage().matches("checkpoint 1 of web1 was pruned \\(history kept: since "
                + "\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z \\(checkpoint 2\\)\\)"), pruned.getMessage());
        assertFalse(Files.exists(out.resolve("vol0.img")));
    }

    @Test
    void shouldRefuseOutputsThatAreMissingInsideTheReceiverOrExisting() throws Exception {
        LaunchException missing = refused("web1", "2", tmp.resolve("nowhere"), Map.of());
        assertEquals(400, missing.status());
        assertTrue(missing.getMessage().contains("is not a directory"), missing.getMessage());
        for (Path inside : List.of(rig.dataDir, rig.dataDir.resolve("web1"), rig.journalDir)) {
            LaunchException refused = refused("web1", "2", inside, Map.of());
            assertEquals(400, refused.status());
            assertTrue(refused.getMessage().contains("is inside the receiver's directory"), refused.getMessage());
        }
        byte[] mine = "an image of mine".getBytes();
        Files.write(out.resolve("vol1.img"), mine);
        LaunchException exists = refused("web1", "2", out, Map.of());
        assertEquals(409, exists.status());
        assertTrue(exists.getMessage().contains("vol1.img exists: a launch never overwrites"), exists.getMessage());
        assertArrayEquals(mine, Files.readAllBytes(out.resolve("vol1.img")));
        assertFalse(Files.exists(out.resolve("vol0.img")), "nothing written");
    }

    @Test
    void shouldRefuseAMapNamingNoVolumeOrNoDeviceAndAVolumeWithNowhereToGo() throws Exception {
        LaunchException volume = refused("web1", "2", out, Map.of("root", Path.of("/dev/null")));
        assertEquals(400, volume.status());
        assertTrue(volume.getMessage().contains("has no volume 'root' (its volumes: vol0, vol1)"), volume.getMessage());
        Path file = Files.createFile(tmp.resolve("a-file"));
        LaunchException notDevice = refused("web1", "2", out, Map.of("vol0", file));
        assertTrue(notDevice.getMessage().contains("is not a block device"), notDevice.getMessage());
        LaunchException nowhere = refused("web1", "2", null, Map.of());
        assertTrue(nowhere.getMessage().contains("has nowhere to go: give --out DIR or --map vol0=DEVICE"),
                nowhere.getMessage());
    }

    @Test
    void shouldDeleteThePartialFilesOfALaunchThatDidNotFinishWhenTheReceiverStarts() throws Exception {
        Path partial = out.resolve("vol0.img.partial");
        Files.write(partial, new byte[4096]);
        new PartialLedger(rig.dataDir).add(List.of(partial)); // the receiver dies here, mid-launch
        Path mine = Files.write(out.resolve("keep.img"), new byte[1]);
        assertEquals(List.of(partial), new PartialLedger(rig.dataDir).deleteLeftovers());
        assertFalse(Files.exists(partial));
        assertTrue(Files.exists(mine));
        assertFalse(Files.exists(rig.dataDir.resolve(PartialLedger.FILE)));
        LaunchResult again = launcher.launch(new LaunchRequest("web1", "2", out, Map.of()));
        assertArrayEquals(rig.expected(2, 0), Files.readAllBytes(Path.of(again.volumes().get(0).path())));
    }
}
