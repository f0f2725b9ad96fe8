package io.replicator.target.journal;

import static io.replicator.target.journal.JournalTestData.appendBlock;
import static io.replicator.target.journal.JournalTestData.assertBlock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.target.journal.internal.Queues;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Pruning whole cycles by age and by size, never what is not applied, on an injected clock. */
@Timeout(120)
class JournalRetentionTest {
    private static final long CYCLE_MS = TimeUnit.MINUTES.toMillis(5);
    private static final int CYCLES = 6;
    private static final int PER_CYCLE = 10;

    @TempDir
    Path dir;

    private final AtomicLong clockMs = new AtomicLong();
    /** Position of the first entry of each cycle written. */
    private final List<Long> firstOfCycle = new ArrayList<>();
    private long startMs;

    @Test
    void shouldPruneCyclesOlderThanTheRetentionButNothingNotYetApplied() throws IOException {
        try (SourceJournal journal = writeSixCycles(Duration.ofMinutes(12), Long.MAX_VALUE)) {
            clockMs.set(startMs + 30 * 60_000L);
            RetentionReport nothingApplied = journal.prune(-1);
            assertEquals(0, nothingApplied.cyclesPruned(), "nothing applied, nothing pruned");

            RetentionReport upToCycle1 = journal.prune(firstOfCycle.get(1) + 3);
            assertEquals(1, upToCycle1.cyclesPruned(), "cycle 0 only: cycle 1 is not wholly applied");
            assertEquals(firstOfCycle.get(1), upToCycle1.oldestPosition());

            RetentionReport all = journal.prune(journal.durablePosition());
            assertEquals(2, all.cyclesPruned(), "cycles 1 and 2 end 12 minutes or more ago");
            assertEquals(firstOfCycle.get(3), all.oldestPosition());
            assertEquals(startMs + 3 * CYCLE_MS, all.oldestTimeMs());
            assertEquals(journal.durablePosition(), all.newestPosition());
            assertEquals(Duration.ofMinutes(15), all.held());
            assertFalse(all.shorterThanAsked(), "15 minutes held, 12 asked");
            assertFalse(all.prunedForSize());
            assertEquals(CYCLES - 3, Queues.cycles(journal.dir()).size());

            try (JournalReader reader = journal.reader(-1)) {
                List<JournalEntry> entries = SourceJournalTest.readAll(reader);
                assertEquals((CYCLES - 3) * PER_CYCLE, entries.size());
                assertBlock(3 * PER_CYCLE + 1, entries.get(0));
            }
            try (JournalReader reader = journal.reader(firstOfCycle.get(0))) {
                IOException e = assertThrows(IOException.class, reader::next);
                assertTrue(e.getMessage().contains("pruned"), e.getMessage());
            }
        }
    }

    @Test
    void shouldPruneTheOldestCyclesWhileOverTheSizeCapAndSaySoInTheReport() throws IOException {
        long maxBytes;
        try (SourceJournal journal = writeSixCycles(Duration.ofHours(1), Long.MAX_VALUE)) {
            RetentionReport before = journal.retention();
            assertTrue(before.shorterThanAsked(), "25 minutes held, an hour asked");
            maxBytes = before.sizeBytes() / 2;
        }
        try (SourceJournal journal = SourceJournal.open(config(Duration.ofHours(1), maxBytes), "src")) {
            RetentionReport report = journal.prune(journal.durablePosition());
            assertTrue(report.cyclesPruned() >= 3 && report.cyclesPruned() < CYCLES, "pruned " + report);
            assertTrue(report.sizeBytes() <= maxBytes, report.sizeBytes() + " <= " + maxBytes);
            assertTrue(report.prunedForSize());
            assertTrue(report.shorterThanAsked());
            assertEquals(firstOfCycle.get(report.cyclesPruned()), report.oldestPosition());
        }
    }

    private SourceJournal writeSixCycles(Duration retain, long maxBytes) throws IOException {
        long nowMs = System.currentTimeMillis();
        startMs = nowMs - nowMs % CYCLE_MS - CYCLES * CYCLE_MS;
        SourceJournal journal = SourceJournal.open(config(retain, maxBytes), "src");
        long sequence = 0;
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            clockMs.set(startMs + cycle * CYCLE_MS);
            for (int i = 0; i < PER_CYCLE; i++) {
                long position = appendBlock(journal, ++sequence);
                if (i == 0) {
                    firstOfCycle.add(position);
                }
            }
        }
        assertEquals(CYCLES * PER_CYCLE, journal.sync());
        assertEquals(CYCLES, Queues.cycles(journal.dir()).size());
        return journal;
    }

    private JournalConfig config(Duration retain, long maxBytes) {
        return JournalConfig.of(dir).withRetain(retain).withMaxBytes(maxBytes).withClockMs(clockMs::get);
    }
}
