package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

@Timeout(10)
class ReconnectLogTest {
    private static final String FULL = "target refused: no space left on device (IO_ERROR)";
    private static final String DOWN = "Connection refused: /127.0.0.1:7700";

    private final List<String> lines = new ArrayList<>();
    private final ReconnectLog log = new ReconnectLog("127.0.0.1:7700", (level, format, args) -> {
        if (level != Level.DEBUG) {
            lines.add(level + " " + MessageFormatter.arrayFormat(format, args).getMessage());
        }
    });

    private static long seconds(long s) {
        return TimeUnit.SECONDS.toNanos(s);
    }

    @Test
    void shouldLogOneLineForARefusalRepeatedWithinAMinuteAndTheFirstHandshakeAfterIt() {
        log.connected("connected to target {}", "127.0.0.1:7700");
        for (int attempt = 1; attempt <= 20; attempt++) {
            log.failed(FULL, attempt, 1_000, 64, seconds(attempt * 2L));
            log.connected("connected to target {}", "127.0.0.1:7700");
        }
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("INFO connected"));
        assertTrue(lines.get(1).startsWith("WARN lost connection to target 127.0.0.1:7700: " + FULL), lines.get(1));
        assertTrue(lines.get(1).contains("64 blocks in flight will be resent"), lines.get(1));
        assertTrue(lines.get(2).startsWith("INFO connected"), "the first handshake after the warning");
    }

    @Test
    void shouldSayStillFailingAtMostOnceAMinuteWithTheAttemptsCounted() {
        for (int attempt = 1; attempt <= 100; attempt++) {
            log.failed(FULL, attempt, 2_000, 0, seconds(attempt * 2L));
        }
        // Attempts at 2 s .. 200 s: the first line at 2 s, then "still" at 62 s, 122 s and 182 s.
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).startsWith("WARN still failing to replicate to target 127.0.0.1:7700: " + FULL),
                lines.get(1));
        assertTrue(lines.get(1).contains("(31 failed attempts in a row, 30 since the last line)"), lines.get(1));
    }

    @Test
    void shouldLogANewReasonAtOnce() {
        log.failed(FULL, 1, 100, 0, seconds(1));
        log.failed(FULL, 2, 200, 0, seconds(2));
        log.failed(DOWN, 3, 400, 0, seconds(3));
        log.failed(DOWN, 4, 800, 0, seconds(4));
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertEquals("WARN connection to target 127.0.0.1:7700 failed again: " + DOWN + "; next attempt in 400 ms "
                + "(attempt 4)", lines.get(1));
    }

    @Test
    void shouldSayOnceThatReplicationIsBackAndWarnAgainOnTheNextFailure() {
        log.acknowledged(0);
        assertEquals(List.of(), lines, "nothing to say while replicating");
        log.failed(FULL, 1, 100, 0, seconds(1));
        log.failed(FULL, 2, 200, 0, seconds(2));
        log.acknowledged(2);
        log.acknowledged(2);
        log.failed(FULL, 3, 400, 0, seconds(3));
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertEquals("INFO target 127.0.0.1:7700 acknowledges blocks again: replicating after 2 failed attempts "
                + "(the last: " + FULL + ")", lines.get(1));
        assertTrue(lines.get(2).startsWith("WARN lost connection"), lines.get(2));
    }
}
