package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TestPki;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Heartbeat;
import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the receiver does about connections that stall: deadlines, idle timeouts, heartbeats, per-address bounds. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetDeadlinesTest {
    @TempDir
    Path root;

    private TargetFixture target(java.util.function.UnaryOperator<TargetConfig.Builder> customize) throws IOException {
        return new TargetFixture(root.resolve("data"), customize, FileChannelOpener.DEFAULT);
    }

    private static Socket raw(TargetFixture target) throws IOException {
        Socket socket = new Socket(target.server.localAddress().getAddress(), target.server.localAddress().getPort());
        socket.setSoTimeout(20_000);
        return socket;
    }

    @Test
    void shouldCloseAConnectionThatSendsNoHelloInTime() throws IOException {
        try (TargetFixture target = target(b -> b.helloTimeoutMs(200)); TestSource source = target.connect()) {
            ErrorFrame error = source.expectError(ErrorCode.TIMED_OUT);
            assertTrue(error.message().contains("no valid HELLO within 200 ms"), error.message());
            assertEquals(1.0, target.meters.get(TargetMetrics.CONNECTIONS_REFUSED).tag("reason", "timeout").counter()
                    .count());
        }
    }

    @Test
    void shouldAbandonATlsHandshakeThatStalls() throws Exception {
        TestPki pki = new TestPki(root.resolve("pki"));
        try (TargetFixture target = target(b -> b.insecurePlaintext(false).pki(pki.bundle(Role.TARGET, "127.0.0.1")).tlsHandshakeTimeoutMs(200));
                Socket socket = raw(target)) {
            // The first bytes of a TLS record header, then silence.
            socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01});
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // a stalled handshake may get an alert; the connection must end
            }
            io.micrometer.core.instrument.Counter refused = target.meters.get(TargetMetrics.CONNECTIONS_REFUSED)
                    .tag("reason", "tls").counter();
            while (refused.count() < 1) { // the receiver may close before it counts
                Thread.sleep(10);
            }
        }
    }

    @Test
    void shouldSendHeartbeatsAndCloseASessionThatReceivesNothingForTheIdleTimeout() throws IOException {
        try (TargetFixture target = target(b -> b.heartbeatIntervalMs(50).idleTimeoutMs(600));
                TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            assertInstanceOf(Heartbeat.class, source.read(), "an idle session hears the target's heartbeat");
            ErrorFrame error = source.expectError(ErrorCode.TIMED_OUT);
            assertTrue(error.message().contains("sent nothing for 600 ms"), error.message());
        }
    }

    @Test
    void shouldKeepAnIdleSessionThatSendsHeartbeats() throws Exception {
        try (TargetFixture target = target(b -> b.heartbeatIntervalMs(50).idleTimeoutMs(400));
                TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            for (int i = 0; i < 20; i++) { // 2 s of heartbeats, five idle timeouts
                source.send(Heartbeat.INSTANCE);
                Thread.sleep(100);
            }
            source.send(target.block(0, 1, 0, TargetFixture.random(1, BLOCK)));
            assertEquals(1, skipHeartbeats(source).durableSequence());
        }
    }

    private static io.replicator.protocol.wire.Ack skipHeartbeats(TestSource source) throws IOException {
        while (true) {
            io.replicator.protocol.wire.Frame f = source.read();
            if (!(f instanceof Heartbeat)) {
                return assertInstanceOf(io.replicator.protocol.wire.Ack.class, f);
            }
        }
    }

    @Test
    void shouldBoundConnectionsWaitingForHelloPerAddressButNotSessions() throws Exception {
        try (TargetFixture target = target(b -> b.maxPendingConnectionsPerPrefix(2))) {
            java.util.List<TestSource> waiting = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    waiting.add(target.connect());
                }
                io.micrometer.core.instrument.Counter refused = target.meters.get(TargetMetrics.CONNECTIONS_REFUSED)
                        .tag("reason", "limit").counter();
                while (refused.count() < 1) {
                    Thread.sleep(10);
                }
                int sessions = 0;
                for (TestSource s : waiting) {
                    try {
                        s.hello("web" + sessions, DISK0);
                        sessions++;
                    } catch (IOException e) {
                        // the one closed at once
                    }
                }
                assertEquals(2, sessions, "two connections may wait for HELLO from one address");
                try (TestSource more = target.connect()) {
                    more.hello("web9", DISK0); // sessions hold no slot: a new connection is welcome
                }
                assertEquals(1.0, refused.count());
            } finally {
                for (TestSource s : waiting) {
                    s.close();
                }
            }
        }
    }
}
