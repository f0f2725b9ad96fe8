package io.replicator.target.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.target.journal.JournalJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver process killed with SIGKILL in the middle of a launch leaves {@code NAME.img.partial};
 * the next start deletes it (and nothing else), and launching again builds the checkpoint.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LaunchCrashTest {
    private static final long SIZE = 192L << 20;

    @TempDir
    Path tmp;

    @Test
    void shouldDeleteThePartialFileOfALaunchKilledMidwayWhenStartedAgain() throws Exception {
        Path data = tmp.resolve("data");
        Path journal = tmp.resolve("journal");
        Path out = Files.createDirectories(tmp.resolve("out"));
        byte[] expected;
        long position;
        long seed = System.nanoTime();
        try (UndoRig rig = new UndoRig(data, journal, "web1", 4096, SIZE)) {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] chunk = new byte[1 << 20];
            for (long block = 0; block < SIZE / 4096; block += 256) {
                random.nextBytes(chunk);
                rig.write(0, block, chunk); // data everywhere: the copy takes a while
            }
            rig.checkpoint(1);
            new LaunchEngineTest.Writes(rig, random).run(300);
            expected = rig.expected(1, 0);
            position = rig.undoPosition(1);
        }
        Path partial = out.resolve("vol0.img.partial");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:-UsePerfData"));
        command.addAll(JournalJvm.flags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), LaunchingProcess.class.getName(),
                data.toString(), journal.toString(), out.toString(), Long.toString(SIZE), Long.toString(position)));
        Process receiver = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("receiver.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!Files.exists(partial) && receiver.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertTrue(receiver.isAlive(), () -> "the launch ended before the kill: " + log());
            receiver.destroyForcibly(); // SIGKILL
            assertEquals(137, receiver.waitFor(), "killed by SIGKILL");
        } finally {
            receiver.destroyForcibly();
        }
        assertTrue(Files.exists(partial), "the killed launch left its partial file");
        assertTrue(Files.exists(data.resolve(PartialLedger.FILE)), "and its record");
        assertFalse(Files.exists(out.resolve("vol0.img")), "killed before the rename: " + log());
        assertEquals(List.of(partial), new PartialLedger(data).deleteLeftovers(), "the start deletes it");
        assertFalse(Files.exists(partial));
        try (UndoRig rig = new UndoRig(data, journal, "web1", 4096, SIZE)) {
            rig.adopt(1, position);
            LaunchResult again = new Launcher(rig, new PartialLedger(data))
                    .launch(new LaunchRequest("web1", "1", out, Map.of()));
            assertArrayEquals(expected, Files.readAllBytes(Path.of(again.volumes().get(0).path())), "seed " + seed);
        }
    }

    private String log() {
        try {
            return Files.readString(tmp.resolve("receiver.log"));
        } catch (Exception e) {
            return e.toString();
        }
    }
}
