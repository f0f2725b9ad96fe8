package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetHandshakeTest {
    @TempDir
    Path dataDir;

    private HelloAck reconnectAck;

    private TestSource reconnect(TargetFixture target, String sourceId) throws IOException {
        try {
            TestSource source = TestSource.connectWhenFree(target.server.localAddress(), sourceId, 10_000, DISK0);
            reconnectAck = source.helloAck;
            return source;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void sendBlocks(TargetFixture target, TestSource source, long from, long to) throws IOException {
        for (long seq = from; seq <= to; seq++) {
            source.send(target.block(0, seq, (seq % 64) * BLOCK, TargetFixture.random(seq, BLOCK)));
        }
    }

    @Test
    void shouldRefuseVersionMismatchNamingBothRanges() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.send(new Hello(ProtocolVersion.MAX_SUPPORTED + 1, ProtocolVersion.MAX_SUPPORTED + 2, 0, "web1",
                    List.of(DISK0)));
            ErrorFrame error = source.expectError(ErrorCode.UNSUPPORTED_VERSION);
            assertTrue(error.message().contains(ProtocolVersion.MIN_SUPPORTED + "-" + ProtocolVersion.MAX_SUPPORTED),
                    error.message());
            assertTrue(error.message().contains((ProtocolVersion.MAX_SUPPORTED + 1) + "-"
                    + (ProtocolVersion.MAX_SUPPORTED + 2)), error.message());
        }
        assertFalse(Files.exists(dataDir.resolve("web1")));
    }

    @Test
    void shouldRefuseAFirstFrameThatIsNotHello() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.send(new Barrier(1, 0));
            ErrorFrame error = source.expectError(ErrorCode.UNEXPECTED_FRAME);
            assertTrue(error.message().contains("BARRIER"), error.message());
        }
    }

    @Test
    void shouldResumeFromTheDurableSequenceOnReconnect() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir)) {
            try (TestSource source = target.connect()) {
                source.hello("web1", DISK0);
                sendBlocks(target, source, 1, 3);
                source.awaitAck(3);
            }
            try (TestSource source = reconnect(target, "web1")) {
                assertEquals(3, reconnectAck.durableSequence());
                sendBlocks(target, source, 4, 4);
                assertEquals(4, source.awaitAck(4).durableSequence());
                sendBlocks(target, source, 4, 4);
                ErrorFrame error = source.expectError(ErrorCode.BAD_SEQUENCE);
                assertTrue(error.message().contains("block sequence 4"), error.message());
            }
        }
    }

    @Test
    void shouldKeepTheDurableSequenceAcrossARestart() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir)) {
            try (TestSource source = target.connect()) {
                source.hello("web1", DISK0);
                sendBlocks(target, source, 1, 5);
                source.awaitAck(5);
            }
            target.restart();
            try (TestSource source = target.connect()) {
                assertEquals(5, source.hello("web1", DISK0).durableSequence());
            }
        }
    }

    @Test
    void shouldRefuseASecondConnectionWithTheSameIdWhileTheFirstKeepsWorking() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource first = target.connect()) {
            first.hello("web1", DISK0);
            try (TestSource second = target.connect()) {
                second.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED, 0, "web1", List.of(DISK0)));
                ErrorFrame error = second.expectError(ErrorCode.ALREADY_CONNECTED);
                assertTrue(error.message().contains("web1"), error.message());
            }
            sendBlocks(target, first, 1, 2);
            assertEquals(2, first.awaitAck(2).durableSequence());
            assertTrue(target.server.status().sources().get(0).connected());
        }
    }

    @Test
    void shouldTreatAGarbledProgressFileAsZeroAndLogIt() throws IOException {
        Path progress = dataDir.resolve("web1").resolve("progress");
        Files.createDirectories(progress.getParent());
        Files.write(progress, "garbage that is not a progress file".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        HelloAck ack;
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            ack = source.hello("web1", DISK0);
        } finally {
            System.setErr(original);
        }
        original.print(captured.toString(StandardCharsets.UTF_8));
        assertEquals(0, ack.durableSequence());
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("progress file " + progress) && log.contains("unreadable"), log);
    }
}
