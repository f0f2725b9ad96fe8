package io.replicator.source.track.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TraceInstanceTest {
    /** Above the largest pid_max Linux allows (2^22), so never a live process. */
    private static final long DEAD_PID = 99_999_999L;

    @Test
    void shouldKeepOnlySafeCharactersOfAName() {
        assertEquals("vol_1_.x", TraceInstance.sanitize("vol/1 .x"));
        assertEquals("_", TraceInstance.sanitize(""));
        assertEquals(40, TraceInstance.sanitize("a".repeat(100)).length());
    }

    @Test
    void shouldReadThePidAtTheEndOfAnInstanceName() {
        assertEquals(1234, TraceInstance.trailingPid("replicator-vol-1-1234"));
        assertEquals(-1, TraceInstance.trailingPid("replicator-vol"));
        assertEquals(-1, TraceInstance.trailingPid("replicator-vol-"));
        assertEquals(-1, TraceInstance.trailingPid("replicator-vol-12x"));
    }

    @Test
    void shouldRemoveAnInstanceLeftByADeadProcessButNotOneOfALiveProcess() throws Exception {
        String reason = TraceFs.unavailableReason();
        assumeTrue(reason == null, () -> "skipped: kernel block tracing is unavailable: " + reason);
        TraceFs fs = TraceFs.open();
        Path stale = fs.instances().resolve(TraceInstance.PREFIX + "stale_test-" + DEAD_PID);
        Path live = fs.instances().resolve(TraceInstance.PREFIX + "live_test-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(stale);
            Files.createDirectory(live);
            List<String> removed = TraceInstance.removeStale(fs, TraceInstance.PREFIX);
            assertTrue(removed.contains(stale.getFileName().toString()), removed.toString());
            assertFalse(removed.contains(live.getFileName().toString()), removed.toString());
            assertFalse(Files.exists(stale));
            assertTrue(Files.isDirectory(live));
        } finally {
            Files.deleteIfExists(stale);
            Files.deleteIfExists(live);
        }
    }

    @Test
    void shouldLeaveAStaleInstanceAloneWhileItsPipeIsOpen() throws Exception {
        String reason = TraceFs.unavailableReason();
        assumeTrue(reason == null, () -> "skipped: kernel block tracing is unavailable: " + reason);
        TraceFs fs = TraceFs.open();
        Path stale = fs.instances().resolve(TraceInstance.PREFIX + "busy_test-" + DEAD_PID);
        try {
            Files.createDirectory(stale);
            try (FileChannel pipe = FileChannel.open(stale.resolve("trace_pipe"), StandardOpenOption.READ)) {
                assertEquals(List.of(), TraceInstance.removeStale(fs, TraceInstance.PREFIX + "busy_test-"));
                assertTrue(Files.isDirectory(stale));
            }
            assertEquals(List.of(stale.getFileName().toString()), TraceInstance.removeStale(fs, TraceInstance.PREFIX + "busy_test-"));
        } finally {
            Files.deleteIfExists(stale);
        }
    }
}
