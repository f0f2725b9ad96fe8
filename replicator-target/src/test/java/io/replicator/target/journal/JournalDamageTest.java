package io.replicator.target.journal;

import static io.replicator.target.journal.JournalTestData.appendBlock;
import static io.replicator.target.journal.JournalTestData.assertBlock;
import static io.replicator.target.journal.JournalTestData.offsetOfEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.target.journal.internal.Queues;
import io.replicator.target.journal.internal.TailRepair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal whose tail was cut short or garbled: opening finds the last whole entry, cuts there,
 * and nothing from the damage on is ever read; appending goes on after the cut.
 */
@Timeout(120)
class JournalDamageTest {
    private static final int ENTRIES = 20;
    private static final int DAMAGED = 15;

    @TempDir
    Path dir;

    /** Damages a journal's only cycle file, whose entry {@link #DAMAGED} starts at byte {@code at}. */
    private interface Damage {
        void apply(Path file, long at, SplittableRandom random) throws IOException;
    }

    @Test
    void shouldCutAtTheLastWholeEntryWhenAPayloadIsGarbled() throws IOException {
        damageThenCheck((file, at, random) -> garble(file, at + 28 + 32 + random.nextInt(64), 8, random));
    }

    @Test
    void shouldCutAtTheLastWholeEntryWhenChroniclesHeaderIsGarbled() throws IOException {
        damageThenCheck((file, at, random) -> garble(file, at - 4, 4, random));
    }

    @Test
    void shouldCutAtTheLastWholeEntryWhenTheWholeTailIsGarbled() throws IOException {
        damageThenCheck((file, at, random) -> {
            long end = offsetOfEntry(file, ENTRIES) + 28 + 32 + JournalTestData.lengthOf(ENTRIES) + 4;
            long from = at - 4 + random.nextInt(44);
            garble(file, from, (int) (end - from), random);
        });
    }

    @Test
    void shouldCutAtTheLastWholeEntryWhenTheFileIsCutShort() throws IOException {
        damageThenCheck((file, at, random) -> {
            long cut = at - 4 + random.nextInt(4 + 28 + 32 + JournalTestData.lengthOf(DAMAGED));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(cut);
            }
            System.out.println("file cut at byte " + cut + ", entry " + DAMAGED + " starts at " + at);
        });
    }

    /** Three journals, each damaged with its own logged seed, each cut and checked. */
    private void damageThenCheck(Damage damage) throws IOException {
        Path root = dir;
        for (int round = 0; round < 3; round++) {
            long seed = System.nanoTime();
            System.out.println("round " + round + ", seed " + seed);
            dir = root.resolve("round-" + round);
            Path file = writeTwentyEntries();
            damage.apply(file, offsetOfEntry(file, DAMAGED), new SplittableRandom(seed));
            assertCutBeforeTheDamagedEntry();
        }
    }

    @Test
    void shouldFinishARepairThatACrashInterrupted() throws IOException {
        Path file = writeTwentyEntries();
        long cutPosition;
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src");
             JournalReader reader = journal.reader(-1)) {
            cutPosition = SourceJournalTest.readAll(reader).get(DAMAGED - 1).position();
        }
        garble(file, offsetOfEntry(file, DAMAGED) + 40, 16, new SplittableRandom(1));
        // As a crash would leave it: the cut recorded, the cycle moved aside, half of it written back.
        Path repair = file.getParent().resolve(TailRepair.REPAIR_DIR);
        Files.createDirectories(repair);
        Files.writeString(repair.resolve("cut"), cutPosition + "\n", StandardCharsets.US_ASCII);
        Files.move(file, repair.resolve(file.getFileName()));
        Files.copy(repair.resolve(file.getFileName()), file, StandardCopyOption.REPLACE_EXISTING);
        assertCutBeforeTheDamagedEntry();
        assertFalse(Files.exists(repair), "the repair directory is gone");
    }

    private Path writeTwentyEntries() throws IOException {
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src")) {
            for (long sequence = 1; sequence <= ENTRIES; sequence++) {
                appendBlock(journal, sequence);
            }
            assertEquals(ENTRIES, journal.sync());
        }
        List<Path> files = List.copyOf(Queues.cycles(dir.resolve("src")).values());
        assertEquals(1, files.size(), "one cycle: " + files);
        return files.get(0);
    }

    private void assertCutBeforeTheDamagedEntry() throws IOException {
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src")) {
            assertEquals(DAMAGED - 1, journal.durableSequence(), "durable after the cut");
            try (JournalReader reader = journal.reader(-1)) {
                List<JournalEntry> entries = SourceJournalTest.readAll(reader);
                assertEquals(DAMAGED - 1, entries.size(), "entries before the damage, none after");
                for (int i = 0; i < entries.size(); i++) {
                    assertBlock(i + 1, entries.get(i));
                }
            }
            for (long sequence = DAMAGED; sequence <= DAMAGED + 2; sequence++) {
                appendBlock(journal, sequence);
            }
            assertEquals(DAMAGED + 2, journal.sync());
        }
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src");
             JournalReader reader = journal.reader(-1)) {
            List<JournalEntry> entries = SourceJournalTest.readAll(reader);
            assertEquals(DAMAGED + 2, entries.size(), "the source's resent blocks follow the cut");
            for (int i = 0; i < entries.size(); i++) {
                assertBlock(i + 1, entries.get(i));
                assertEquals(i + 1, entries.get(i).entryNumber());
            }
        }
    }

    private static void garble(Path file, long at, int length, SplittableRandom random) throws IOException {
        byte[] noise = new byte[length];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer old = ByteBuffer.allocate(length);
            channel.read(old, at);
            for (int i = 0; i < length; i++) {
                do {
                    noise[i] = (byte) random.nextInt(256);
                } while (noise[i] == old.get(i)); // every byte changes
            }
            channel.write(ByteBuffer.wrap(noise), at);
            channel.force(false);
        }
        System.out.println("garbled " + length + " bytes at " + at + " of " + file.getFileName());
        assertTrue(length > 0);
    }
}
