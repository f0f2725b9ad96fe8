package io.replicator.target.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProgressFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadZeroForANewSource() throws IOException {
        assertEquals(0, new ProgressFile(dir).read());
    }

    @Test
    void shouldReadBackWhatWasWrittenAndLeaveNoTemporaryFile() throws IOException {
        ProgressFile progress = new ProgressFile(dir);
        progress.write(41);
        progress.write(42);
        assertEquals(42, new ProgressFile(dir).read());
        assertEquals(ProgressFile.LENGTH, Files.size(progress.path()));
        assertFalse(Files.exists(dir.resolve(ProgressFile.FILE_NAME + ".tmp")));
    }

    @Test
    void shouldOverwriteInPlaceAfterTheFirstWriteAndReplaceAgainAfterClose() throws IOException {
        try (ProgressFile progress = new ProgressFile(dir)) {
            progress.write(1);
            Object first = Files.readAttributes(progress.path(), BasicFileAttributes.class).fileKey();
            for (long sequence = 2; sequence <= 100; sequence++) {
                progress.write(sequence);
                assertEquals(sequence, new ProgressFile(dir).read());
            }
            assertEquals(first, Files.readAttributes(progress.path(), BasicFileAttributes.class).fileKey());
            assertEquals(ProgressFile.LENGTH, Files.size(progress.path()));
            progress.close();
            progress.write(101);
            assertNotEquals(first, Files.readAttributes(progress.path(), BasicFileAttributes.class).fileKey());
            assertEquals(101, new ProgressFile(dir).read());
        }
    }

    @Test
    void shouldReadZeroForATornFile() throws IOException {
        ProgressFile progress = new ProgressFile(dir);
        progress.write(42);
        byte[] bytes = Files.readAllBytes(progress.path());
        Files.write(progress.path(), Arrays.copyOf(bytes, 11));
        assertEquals(0, progress.read());
    }

    @Test
    void shouldReadZeroWhenAnyByteIsGarbled() throws IOException {
        ProgressFile progress = new ProgressFile(dir);
        for (int i = 0; i < ProgressFile.LENGTH; i++) {
            progress.write(42);
            byte[] bytes = Files.readAllBytes(progress.path());
            bytes[i] ^= 0x10;
            Files.write(progress.path(), bytes);
            assertEquals(0, progress.read(), "byte " + i + " flipped");
        }
    }
}
