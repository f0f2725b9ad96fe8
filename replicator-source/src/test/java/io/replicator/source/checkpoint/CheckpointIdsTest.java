package io.replicator.source.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointIdsTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepIncreasingAcrossRestarts() throws IOException {
        CheckpointIds ids = CheckpointIds.open(dir);
        assertEquals(0, ids.last());
        assertEquals(1, ids.next());
        assertEquals(2, ids.next());
        CheckpointIds again = CheckpointIds.open(dir);
        assertEquals(2, again.last());
        assertEquals(3, again.next());
        assertEquals("3", Files.readString(dir.resolve(CheckpointIds.FILE_NAME)).trim());
    }

    @Test
    void shouldRefuseAGarbledFileNamingItRatherThanStartOver() throws IOException {
        Files.writeString(dir.resolve(CheckpointIds.FILE_NAME), "seven\n");
        IOException e = assertThrows(IOException.class, () -> CheckpointIds.open(dir));
        assertTrue(e.getMessage().contains("invalid checkpoint number") && e.getMessage().contains("'seven'"),
                e.getMessage());
    }
}
