package io.replicator.target;

import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.replicator.target.internal.FileChannelOpener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that have not authenticated are bounded in all, not only per address: strangers
 * spread over many addresses (here 127.0.0.2 to 127.0.0.60, loopback aliases Linux answers without
 * setup) cannot hold more than the global cap, and the refusals make a few log lines, not one each.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TargetConnectionLimitTest {
    private static final int FIRST_ALIAS = 2;
    private static final int LAST_ALIAS = 60;
    private static final int PER_ADDRESS = 4;

    @TempDir
    Path dataDir;

    private TargetFixture target(UnaryOperator<TargetConfig.Builder> customize) throws IOException {
        return new TargetFixture(dataDir, customize, FileChannelOpener.DEFAULT);
    }

    /** A connection from {@code 127.0.0.alias} that sends nothing; non-blocking, so that EOF can be polled. */
    private static SocketChannel connectFrom(int alias, InetSocketAddress target) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.bind(new InetSocketAddress("127.0.0." + alias, 0));
        channel.connect(target);
        channel.configureBlocking(false);
        return channel;
    }

    /** Whether the receiver closed {@code channel}: it sends nothing to a connection that sent nothing. */
    private static boolean closedByTarget(SocketChannel channel) throws IOException {
        try {
            return channel.read(ByteBuffer.allocate(64)) < 0;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static int countClosed(List<SocketChannel> channels, int expected) throws Exception {
        while (true) {
            int closed = 0;
            for (SocketChannel c : channels) {
                if (closedByTarget(c)) {
                    closed++;
                }
            }
            if (closed >= expected) {
                return closed;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void shouldRefuseConnectionsFromManyAddressesBeyondTheGlobalCap() throws Exception {
        int cap = TargetConfig.DEFAULT_MAX_PENDING_CONNECTIONS;
        int connections = (LAST_ALIAS - FIRST_ALIAS + 1) * PER_ADDRESS;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        List<SocketChannel> strangers = new ArrayList<>();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TargetFixture target = target(b -> b)) {
            InetSocketAddress address = target.server.localAddress();
            for (int alias = FIRST_ALIAS; alias <= LAST_ALIAS; alias++) {
                for (int i = 0; i < PER_ADDRESS; i++) {
                    strangers.add(connectFrom(alias, address));
                }
            }
            Counter refused = target.meters.get(TargetMetrics.CONNECTIONS_REFUSED).tag("reason", "limit").counter();
            Counter timedOut = target.meters.get(TargetMetrics.CONNECTIONS_REFUSED).tag("reason", "timeout").counter();
            // Wait for the refusals, or for the HELLO deadline of the connections let in, whichever comes first.
            while (refused.count() < connections - cap && timedOut.count() == 0) {
                Thread.sleep(20);
            }
            assertEquals(connections - cap, (int) refused.count(), "refused at once for the cap of " + cap);
            assertEquals(connections - cap, countClosed(strangers, connections - cap),
                    "connections beyond the cap of " + cap + " are closed at once, the others wait for HELLO");

            // The cap is on connections still waiting: once strangers leave, a source gets in again.
            for (SocketChannel c : strangers) {
                if (!closedByTarget(c)) {
                    c.close();
                    break;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (TestSource source = target.connect()) {
                    source.hello("web1", DISK0);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(20); // refused while the receiver has not seen the stranger leave
                }
            }
        } finally {
            System.setErr(original);
            for (SocketChannel c : strangers) {
                c.close();
            }
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        long lines = log.lines().filter(l -> l.contains("waiting to authenticate")).count();
        assertTrue(lines >= 1 && lines <= 3, lines + " lines about " + (connections - cap) + " refusals:\n" + log);
    }
}
