package io.replicator.target;

import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a peer says reaches the receiver's log as one line of printable text, whatever bytes it sent. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetLogInjectionTest {
    private static final String FORGED = "closing\r\n[main] INFO io.replicator.target.TargetServer - all volumes verified"
            + "\u001b[2J\u001b]0;owned\u0007\u009b31m\u007f";

    @TempDir
    Path dataDir;

    @Test
    void shouldLogAPeersErrorTextWithoutItsControlCharacters() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            source.send(new ErrorFrame(ErrorCode.IO_ERROR, FORGED));
            source.expectClosed();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!captured.toString(StandardCharsets.UTF_8).contains("reported IO_ERROR")
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        String line = log.lines().filter(l -> l.contains("reported IO_ERROR")).findFirst()
                .orElseThrow(() -> new AssertionError("no line about the peer's error in: " + log));
        assertTrue(line.contains("closing\\r\\n[main] INFO io.replicator.target.TargetServer - all volumes verified"
                + "\\x1b[2J\\x1b]0;owned\\x07\\x9b31m\\x7f"), line);
        for (char c : log.toCharArray()) {
            assertFalse(c != '\n' && (Character.isISOControl(c)), String.format("raw control character 0x%02x in the log:%n%s",
                    (int) c, log));
        }
        assertFalse(log.lines().anyMatch(l -> l.startsWith("[main] INFO io.replicator.target.TargetServer - all volumes")),
                "a forged line stands in the log: " + log);
    }
}
