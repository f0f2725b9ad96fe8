package io.replicator.target.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A launch builds exactly the volumes as they were at the checkpoint, from a fuzzy copy of live
 * images that a concurrent writer keeps changing as the receiver's apply thread does (undo first,
 * then the volume), with random multi-block writes of random, compressible and zero data. Seeds are
 * logged. On ext4 or tmpfs the copy is sparse; the reflink path is {@link LaunchReflinkTest}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LaunchEngineTest {
    private static final Logger log = LoggerFactory.getLogger(LaunchEngineTest.class);
    static final int BLOCK = 4096;

    @TempDir
    Path tmp;

    @Test
    void shouldBuildEachVolumeAsItWasAtTheCheckpointWhileWritesGoOn() throws Exception {
        long seed = System.nanoTime();
        log.info("seed {}", seed);
        ExecutorService apply = Executors.newSingleThreadExecutor(); // the concurrent writer
        try {
            try (UndoRig rig = new UndoRig(tmp.resolve("data"), tmp.resolve("journal"), "web1", BLOCK, 4L << 20,
                    (3L << 20) + 4096)) {
                Writes writes = new Writes(rig, new SplittableRandom(seed));
                apply.submit(() -> {
                    writes.run(600); // the initial contents
                    rig.checkpoint(1);
                    writes.run(300);
                    rig.checkpoint(2);
                    writes.run(300);
                    return null;
                }).get();
                AtomicBoolean stop = new AtomicBoolean();
                Future<?> writer = apply.submit(() -> {
                    long id = 3;
                    while (!stop.get() || id < 5) { // checkpoints 3 and 4 are taken however fast the launches are
                        writes.run(50);
                        if (id < 5) {
                            rig.checkpoint(id++);
                        }
                    }
                    return null;
                });
                Launcher launcher = new Launcher(rig, new PartialLedger(rig.dataDir));
                for (String which : List.of("1", "2")) {
                    Path out = Files.createDirectories(tmp.resolve("out" + which));
                    LaunchResult result = launcher.launch(new LaunchRequest("web1", which, out, Map.of()));
                    assertEquals(Long.parseLong(which), result.checkpoint());
                    for (LaunchResult.Volume volume : result.volumes()) {
                        assertEquals("sparse", volume.method(), "ext4 or tmpfs has no reflinks");
                        int index = Integer.parseInt(volume.name().substring(3));
                        assertArrayEquals(rig.expected(result.checkpoint(), index),
                                Files.readAllBytes(Path.of(volume.path())),
                                "volume " + volume.name() + " at checkpoint " + which + " (seed " + seed + ")");
                        assertFalse(Files.exists(out.resolve(volume.name() + ".img.partial")));
                    }
                    assertTrue(result.undoEntries() > 0, "the writes since the checkpoint were undone");
                }
                stop.set(true);
                writer.get(1, TimeUnit.MINUTES);
                assertEquals(0, rig.pins.get(), "every pin released");
                assertEquals("pin", rig.pinEvents.get(0).split(" ")[0], "pinned before anything is read");
                assertTrue(rig.pinEvents.get(rig.pinEvents.size() - 1).startsWith("unpin"), rig.pinEvents.toString());
                Path latest = Files.createDirectories(tmp.resolve("latest"));
                LaunchResult newest = launcher.launch(new LaunchRequest("web1", "latest", latest, Map.of()));
                assertEquals(4, newest.checkpoint());
                for (int v = 0; v < 2; v++) {
                    assertArrayEquals(rig.expected(4, v), Files.readAllBytes(latest.resolve("vol" + v + ".img")),
                            "vol" + v + " at checkpoint 4 (seed " + seed + ")");
                }
                assertFalse(Files.exists(rig.dataDir.resolve(PartialLedger.FILE)), "no launch is running");
            }
        } finally {
            apply.shutdownNow();
        }
    }

    /** Random writes of 1 to 8 blocks: random bytes, compressible bytes or zeros. Apply thread only. */
    static final class Writes {
        private final UndoRig rig;
        private final SplittableRandom random;

        Writes(UndoRig rig, SplittableRandom random) {
            this.rig = rig;
            this.random = random;
        }

        void run(int count) throws Exception {
            for (int i = 0; i < count; i++) {
                int volume = random.nextInt(rig.volumes.size());
                LaunchVolume v = rig.volumes.get(volume);
                long blocks = (v.sizeBytes() + BLOCK - 1) / BLOCK;
                int n = 1 + random.nextInt(8);
                long block = random.nextLong(blocks);
                long end = Math.min(v.sizeBytes(), (block + n) * BLOCK);
                byte[] data = new byte[(int) (end - block * BLOCK)];
                switch (random.nextInt(3)) {
                    case 0 -> random.nextBytes(data);
                    case 1 -> {
                        byte fill = (byte) random.nextInt(256);
                        java.util.Arrays.fill(data, fill);
                        data[random.nextInt(data.length)] = (byte) random.nextInt(256);
                    }
                    default -> { } // zeros
                }
                rig.write(volume, block, data);
            }
        }
    }
}
