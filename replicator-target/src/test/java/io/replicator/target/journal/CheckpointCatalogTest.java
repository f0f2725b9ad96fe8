package io.replicator.target.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.target.journal.CheckpointInfo.State;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class CheckpointCatalogTest {
    @TempDir
    Path dir;

    private static CheckpointInfo pending(long id) {
        return new CheckpointInfo("src-a", id, 1_765_000_000_000L + id * 1000, "label\t" + id + " ✓", 40 + id,
                List.of("root", "data,1"), id * 4096, -1, State.PENDING, "");
    }

    @Test
    void shouldKeepEveryChangeAcrossReopeningInTheOrderRecorded() throws IOException {
        try (CheckpointCatalog catalog = CheckpointCatalog.open(dir, "src-a")) {
            for (long id = 1; id <= 5; id++) {
                catalog.put(pending(id));
            }
            catalog.put(pending(2).applied(0x1234L));
            catalog.put(pending(3).applied(0x2000L));
            assertEquals(1, catalog.pruneBefore(0x1500L, "retention"));
        }
        try (CheckpointCatalog catalog = CheckpointCatalog.open(dir, "src-a")) {
            List<CheckpointInfo> all = catalog.list();
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), all.stream().map(CheckpointInfo::checkpointId).toList());
            assertEquals(pending(1), all.get(0));
            assertEquals(pending(2).applied(0x1234L).with(State.PRUNED, "retention"), all.get(1));
            assertEquals(pending(3).applied(0x2000L), all.get(2));
            assertEquals(3, catalog.find("latest").orElseThrow().checkpointId());
            assertEquals(pending(5), catalog.find("5").orElseThrow());
            assertTrue(catalog.find("6").isEmpty());
            assertTrue(catalog.find("yesterday").isEmpty());
            // Reopening compacts: one line per checkpoint after the header.
            assertEquals(6, Files.readAllLines(catalog.file()).size());
        }
    }

    @Test
    void shouldSkipALineTornByACrashAndRewriteTheRest() throws IOException {
        try (CheckpointCatalog catalog = CheckpointCatalog.open(dir, "src-a")) {
            catalog.put(pending(1));
            catalog.put(pending(2));
        }
        Path file = dir.resolve(CheckpointCatalog.FILE);
        String whole = Files.readString(file);
        String third = io.replicator.target.journal.internal.CatalogFormat.line(pending(3));
        Files.writeString(file, third.substring(0, third.length() / 2), StandardOpenOption.APPEND);
        try (CheckpointCatalog catalog = CheckpointCatalog.open(dir, "src-a")) {
            assertEquals(List.of(pending(1), pending(2)), catalog.list());
            assertEquals(whole, Files.readString(file));
            catalog.put(pending(3));
        }
        // A garbled line (one character changed) is skipped, the others kept.
        String text = Files.readString(file);
        int at = text.indexOf("\n") + 12;
        Files.writeString(file, text.substring(0, at) + (text.charAt(at) == '9' ? '8' : '9') + text.substring(at + 1));
        try (CheckpointCatalog catalog = CheckpointCatalog.open(dir, "src-a")) {
            assertEquals(List.of(pending(2), pending(3)), catalog.list());
        }
    }

    @Test
    void shouldPruneEveryLaunchableCheckpointForAGapAndCompactAsItGrows() throws IOException {
        try (CheckpointCatalog catalog = CheckpointCatalog.open(dir, "src-a")) {
            for (long id = 1; id <= 100; id++) {
                catalog.put(pending(id));
                catalog.put(pending(id).applied(id * 100));
            }
            assertTrue(Files.readAllLines(catalog.file()).size() < 2 * 100 + 66);
            assertEquals(100, catalog.pruneAll("a gap in the history"));
            assertTrue(catalog.find("latest").isEmpty());
        }
        try (CheckpointCatalog catalog = CheckpointCatalog.open(dir, "src-a")) {
            assertEquals(100, catalog.list().size());
            assertFalse(catalog.list().stream().anyMatch(CheckpointInfo::launchable));
            assertEquals("a gap in the history", catalog.list().get(99).reason());
        }
    }

    @Test
    void shouldHoldPruningBackWhileAPinIsOpen() throws Exception {
        HistoryPins pins = new HistoryPins();
        assertEquals(Long.MAX_VALUE, pins.oldestPinned("src-a"));
        AutoCloseable first = pins.pin("src-a", 500);
        AutoCloseable second = pins.pin("src-a", 200);
        AutoCloseable third = pins.pin("src-a", 200);
        assertEquals(200, pins.oldestPinned("src-a"));
        assertEquals(Long.MAX_VALUE, pins.oldestPinned("src-b"));
        second.close();
        second.close();
        assertEquals(200, pins.oldestPinned("src-a"));
        third.close();
        assertEquals(500, pins.oldestPinned("src-a"));
        first.close();
        assertEquals(Long.MAX_VALUE, pins.oldestPinned("src-a"));
    }

    @Test
    void shouldRefuseAFileThatIsNotACatalogue() throws IOException {
        Files.writeString(dir.resolve(CheckpointCatalog.FILE), "something else\n", StandardCharsets.UTF_8);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> CheckpointCatalog.open(dir, "src-a"));
        assertTrue(e.getMessage().contains(CheckpointCatalog.FILE), e.getMessage());
    }
}
