package io.replicator.target.journal;

import static io.replicator.target.journal.JournalTestData.assertBlock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer process ({@link JournalCrashWriter}) killed with SIGKILL at random moments, over and
 * over, on the same journal: while it starts and recovers, appends, syncs, rolls and prunes cycles. After
 * each kill the journal opens, and holds every block the writer reported durable, and every entry
 * it holds is whole and in order. What this proves and does not: docs/journal.md, "Crash safety".
 */
@Timeout(600)
class JournalCrashTest {
    private static final int ROUNDS = 9;
    private static final int SIGKILL_EXIT = 137;

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryEntryReportedDurableAcrossKill9() throws Exception {
        long seed = System.nanoTime();
        System.out.println("seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        long reportedTotal = 0;
        for (int r = 0; r < ROUNDS; r++) {
            int round = r;
            AtomicLong durable = new AtomicLong(-1);
            AtomicLong opened = new AtomicLong(-1);
            Process writer = start(random.nextLong(), round);
            Thread lines = readLines(writer, durable, opened);
            String when = switch (round % 3) {
                case 0 -> "right after a sync";
                case 1 -> "while appending";
                default -> "at a random moment from start-up on";
            };
            if (round % 3 == 2) {
                Thread.sleep(300 + random.nextInt(3200)); // start-up, recovery, appending: wherever it is
            } else {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (durable.get() <= opened.get() && System.nanoTime() < deadline && writer.isAlive()) {
                    Thread.sleep(round % 3 == 0 ? 1 : 5);
                }
                assertTrue(durable.get() > opened.get(), () -> "round " + round + ": the writer reported no sync in "
                        + "60 s; its threads:\n" + threadsOf(writer) + "\nits log:\n" + logOf(round));
                Thread.sleep(round % 3 == 0 ? random.nextInt(3) : random.nextInt(1500));
            }
            assertTrue(writer.isAlive(), () -> "round " + round + ": the writer died before the kill: " + logOf(round));
            writer.destroyForcibly();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
            assertEquals(SIGKILL_EXIT, writer.exitValue(), "killed by SIGKILL");
            lines.join(10_000);
            long reported = durable.get();
            System.out.printf("round %d: killed %s; it had opened at %d and reported %d durable%n", round, when,
                    opened.get(), reported);
            reportedTotal = Math.max(reportedTotal, reported);
            assertHolds(reportedTotal);
        }
        assertTrue(reportedTotal > 0, "some round got as far as a sync");
    }

    /** Opens the journal as a restarted receiver would and checks everything in it. */
    private void assertHolds(long reportedDurable) throws IOException {
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src");
             JournalReader reader = journal.reader(-1)) {
            assertTrue(journal.durableSequence() >= reportedDurable, String.format("durable after reopening: %d, "
                    + "reported before the kill: %d", journal.durableSequence(), reportedDurable));
            long sequence = -1;
            long entryNumber = -1;
            long entries = 0;
            for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
                entries++;
                assertTrue(entryNumber < 0 || entry.entryNumber() == entryNumber + 1, "entry numbers without a gap");
                entryNumber = entry.entryNumber();
                if (entry instanceof JournalEntry.Block block) {
                    assertTrue(sequence < 0 || block.sequence() == sequence + 1, "blocks without a gap");
                    sequence = block.sequence();
                    assertBlock(sequence, entry);
                } else {
                    assertTrue(sequence < 0 || ((JournalEntry.Marker) entry).sequence() == sequence,
                            "a marker follows its block");
                }
            }
            assertEquals(journal.durableSequence(), Math.max(sequence, 0), "the last block read is the durable one");
            System.out.printf("reopened: %d entries (the oldest pruned), up to block %d, whole%n", entries, sequence);
        }
    }

    private Process start(long seed, int round) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:-UsePerfData"));
        command.addAll(JournalJvm.flags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), JournalCrashWriter.class.getName(),
                dir.toString(), "src", Long.toString(seed)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(
                dir.resolve("writer-" + round + ".log").toFile())).start();
    }

    private String logOf(int round) {
        try {
            String log = Files.readString(dir.resolve("writer-" + round + ".log"));
            return log.substring(Math.max(0, log.length() - 4000));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String threadsOf(Process writer) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(writer.pid()), "Thread.print").redirectErrorStream(true).start();
            String threads = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return threads;
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }

    private static Thread readLines(Process writer, AtomicLong durable, AtomicLong opened) {
        Thread thread = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] words = line.split(" ");
                    if (words[0].equals("opened")) {
                        opened.set(Long.parseLong(words[1]));
                        durable.compareAndSet(-1, Long.parseLong(words[1]));
                    } else if (words[0].equals("durable")) {
                        durable.set(Long.parseLong(words[1]));
                    }
                }
            } catch (IOException e) {
                // The writer died: what it printed until then is all there is.
            }
        }, "writer-lines");
        thread.start();
        return thread;
    }
}
