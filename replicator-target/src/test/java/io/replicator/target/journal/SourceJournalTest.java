package io.replicator.target.journal;

import static io.replicator.target.journal.JournalTestData.appendBlock;
import static io.replicator.target.journal.JournalTestData.assertBlock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.Encoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class SourceJournalTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadBackBlocksAndMarkersInOrderAfterReopening() throws IOException {
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src-a")) {
            for (long sequence = 1; sequence <= 20; sequence++) {
                appendBlock(journal, sequence);
                if (sequence == 10) {
                    journal.appendMarker(MarkerKind.CHECKPOINT, 7, 10, "before the upgrade ✓");
                }
            }
            journal.appendBlock(0, Encoding.ZERO, 21, 0, 1 << 20, 0, ByteBuffer.allocate(0));
            journal.appendMarker(MarkerKind.BARRIER, 8, 21, "");
            assertEquals(21, journal.sync());
        }
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src-a");
             JournalReader reader = journal.reader(-1)) {
            assertEquals(21, journal.durableSequence());
            List<JournalEntry> entries = readAll(reader);
            assertEquals(23, entries.size());
            for (int i = 0; i < 10; i++) {
                assertBlock(i + 1, entries.get(i));
            }
            JournalEntry.Marker checkpoint = assertInstanceOf(JournalEntry.Marker.class, entries.get(10));
            assertEquals(MarkerKind.CHECKPOINT, checkpoint.kind());
            assertEquals(7, checkpoint.id());
            assertEquals(10, checkpoint.sequence());
            assertEquals("before the upgrade ✓", checkpoint.label());
            for (int i = 11; i < 21; i++) {
                assertBlock(i, entries.get(i));
            }
            JournalEntry.Block zero = assertInstanceOf(JournalEntry.Block.class, entries.get(21));
            assertEquals(Encoding.ZERO, zero.encoding());
            assertEquals(1 << 20, zero.lengthBytes());
            assertEquals(0, zero.payload().remaining());
            assertEquals(MarkerKind.BARRIER, ((JournalEntry.Marker) entries.get(22)).kind());
            for (int i = 0; i < entries.size(); i++) {
                assertEquals(i + 1, entries.get(i).entryNumber(), "entry numbers have no gap");
                assertTrue(i == 0 || entries.get(i).position() > entries.get(i - 1).position(), "positions increase");
            }
        }
    }

    @Test
    void shouldGiveReadersOnlyWhatIsDurable() throws IOException {
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src-b");
             JournalReader reader = journal.reader(-1)) {
            long first = appendBlock(journal, 1);
            assertNull(reader.next(), "nothing is durable yet");
            assertEquals(1, journal.sync());
            assertBlock(1, reader.next());
            appendBlock(journal, 2);
            appendBlock(journal, 3);
            assertNull(reader.next());
            assertEquals(3, journal.sync());
            assertBlock(2, reader.next());
            assertBlock(3, reader.next());
            assertNull(reader.next());
            try (JournalReader after = journal.reader(first)) {
                assertBlock(2, after.next());
            }
        }
    }

    @Test
    void shouldCoverEveryAppendMadeBeforeASyncStarted() throws Exception {
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src-g")) {
            AtomicLong appended = new AtomicLong();
            AtomicLong appending = new AtomicLong();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread forcer = new Thread(() -> {
                long lastDurable = 0;
                try {
                    while (lastDurable < 2000) {
                        long before = appended.get();
                        long durable = journal.sync();
                        assertTrue(durable >= before, "sync returned " + durable + ", " + before + " was appended before");
                        assertTrue(durable >= lastDurable, "durable went back from " + lastDurable + " to " + durable);
                        assertTrue(durable <= appending.get(), "durable " + durable + " was not appended yet");
                        lastDurable = durable;
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "force");
            forcer.start();
            for (long sequence = 1; sequence <= 2000; sequence++) {
                appending.set(sequence);
                appendBlock(journal, sequence);
                appended.set(sequence);
            }
            forcer.join(60_000);
            assertNull(failed.get(), () -> "the force thread: " + failed.get());
            assertEquals(2000, journal.durableSequence());
        }
    }

    @Test
    void shouldRefuseToOpenInAJvmWithoutChroniclesOptionsNamingThem() throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), JournalCrashWriter.class.getName(), dir.toString(), "src",
                "1").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertTrue(process.exitValue() != 0, output);
        assertTrue(output.contains("needs these JVM options") && output.contains("--add-exports=java.base/sun.nio.ch"),
                output);
    }

    @Test
    void shouldRefuseASequenceThatDoesNotIncrease() throws IOException {
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src-c")) {
            appendBlock(journal, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> appendBlock(journal, 5));
            assertTrue(e.getMessage().contains("block sequence 5 does not follow 5"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameJournal() throws IOException {
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src-d")) {
            IOException e = assertThrows(IOException.class, () -> SourceJournal.open(JournalConfig.of(dir), "src-d"));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertTrue(journal.dir().endsWith("src-d"));
        }
    }

    @Test
    void shouldNameTheJournalWhenAReaderStartsAfterAPositionNeverWritten() throws IOException {
        try (SourceJournal journal = SourceJournal.open(JournalConfig.of(dir), "src-e")) {
            long position = appendBlock(journal, 1);
            journal.sync();
            try (JournalReader reader = journal.reader(position + 5)) {
                IOException e = assertThrows(IOException.class, reader::next);
                assertTrue(e.getMessage().contains("never written") && e.getMessage().contains("src-e"), e.getMessage());
            }
        }
    }

    @Test
    void shouldKeepChronicleAnalyticsOffTheClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("net.openhft.chronicle.analytics.Analytics"));
        assertTrue(SingleChronicleQueue.class.getName().startsWith("net.openhft"));
    }

    static List<JournalEntry> readAll(JournalReader reader) throws IOException {
        List<JournalEntry> entries = new ArrayList<>();
        for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
            entries.add(entry);
        }
        return entries;
    }
}
