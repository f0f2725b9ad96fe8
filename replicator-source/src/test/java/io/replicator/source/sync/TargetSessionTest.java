package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The target session against in-memory channels ({@link EmbeddedChannel}): no process, no socket.
 * Time is whatever the test hands {@link TargetSession#connectIfDue}.
 */
@Timeout(10)
class TargetSessionTest {
    private static final long MIN_MS = 1_000;
    private static final long MAX_MS = 8_000;

    /** Hands out a new in-memory channel on every connect. */
    private static final class Channels implements TargetSession.Connector {
        final List<EmbeddedChannel> made = new ArrayList<>();

        @Override
        public Channel connect(InetSocketAddress target) {
            EmbeddedChannel ch = new EmbeddedChannel();
            made.add(ch);
            return ch;
        }

        EmbeddedChannel last() {
            return made.get(made.size() - 1);
        }

        @Override
        public void close() {
            made.forEach(EmbeddedChannel::finishAndReleaseAll);
        }
    }

    /** Records what the session tells the agent. */
    private static final class Heard implements TargetSession.Listener {
        final List<Long> durable = new ArrayList<>();
        final List<Frame> received = new ArrayList<>();
        final List<ErrorCode> refused = new ArrayList<>();
        int lostData;
        int connectionsLost;

        @Override
        public void durable(InFlight.Entry e) {
            durable.add(e.sequence());
        }

        @Override
        public void acknowledged(long durableSequence, boolean committed) {
        }

        @Override
        public void targetLostData() {
            lostData++;
        }

        @Override
        public void received(Frame frame) {
            received.add(frame);
        }

        @Override
        public void refused(ErrorCode code, String why) {
            refused.add(code);
        }

        @Override
        public void connectionLost() {
            connectionsLost++;
        }
    }

    private final Channels channels = new Channels();
    private final Heard heard = new Heard();

    private TargetSession session(long durableSequence) {
        AgentConfig config = new AgentConfig("web1", new InetSocketAddress("127.0.0.1", 9), 1_000, 1 << 20,
                1_000, MIN_MS, MAX_MS, 5_000, 30_000, null, null, null, null);
        return new TargetSession(config, List.of(new VolumeInfo("root", 1 << 20, 4096)), durableSequence, channels,
                new ReconnectBackoff(MIN_MS, MAX_MS, ReconnectBackoff.STABLE_SESSION_MS, new SplittableRandom(7)),
                heard);
    }

    private static HelloAck helloAck(long durableSequence) {
        return new HelloAck(ProtocolVersion.MAX_SUPPORTED, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                ProtocolVersion.SUPPORTED_FEATURES, durableSequence);
    }

    /** Connects at {@code nowNs} and answers the handshake with {@code targetDurable}. */
    private EmbeddedChannel handshake(TargetSession s, long nowNs, long targetDurable) throws IOException {
        s.connectIfDue(nowNs);
        EmbeddedChannel ch = channels.last();
        s.onLinkEvent(new LinkEvent.Connected(ch));
        assertInstanceOf(Hello.class, ch.readOutbound());
        s.onLinkEvent(new LinkEvent.Received(ch, helloAck(targetDurable)));
        assertTrue(s.connected());
        return ch;
    }

    /** Puts one block of a new frame in flight, its change first read at {@code readNs}. */
    private static long send(TargetSession s, long block, long readNs) {
        long sequence = s.takeSequence();
        s.inFlight().add(new InFlight.Entry(sequence, 0, block, block * 31, 4096, 100, true, readNs));
        return sequence;
    }

    @Test
    void shouldCommitAcknowledgedBlocksInSequenceOrderAndIgnoreAnOlderAck() throws IOException {
        TargetSession s = session(0);
        EmbeddedChannel ch = handshake(s, System.nanoTime(), 0);
        for (long b = 0; b < 4; b++) {
            send(s, b, System.nanoTime());
        }
        s.onLinkEvent(new LinkEvent.Received(ch, new Ack(3)));
        s.onLinkEvent(new LinkEvent.Received(ch, new Ack(2)));
        assertEquals(List.of(1L, 2L, 3L), heard.durable);
        assertEquals(3, s.durableSequence());
        assertEquals(1, s.inFlight().size());
        assertEquals(4096, s.inFlight().changedBytes(0), "the changed block still in flight");
        s.onLinkEvent(new LinkEvent.Received(ch, new BarrierAck(1, 4)));
        assertEquals(List.of(1L, 2L, 3L, 4L), heard.durable, "a barrier's ack acknowledges too");
        assertEquals(List.of(new BarrierAck(1, 4)), heard.received);
        assertTrue(s.inFlight().isEmpty());
        s.close();
    }

    @Test
    void shouldResendWhatWasInFlightAfterADroppedLinkWithItsFirstReadTime() throws IOException {
        TargetSession s = session(0);
        long startNs = System.nanoTime();
        EmbeddedChannel first = handshake(s, startNs, 0);
        send(s, 10, startNs - 5);
        send(s, 11, startNs - 4);
        send(s, 12, startNs - 3);
        s.onLinkEvent(new LinkEvent.Received(first, new Ack(1)));

        s.onLinkEvent(new LinkEvent.Closed(first, new IOException("connection reset")));
        assertFalse(s.connected());
        assertEquals(1, heard.connectionsLost);
        assertTrue(s.lastError().contains("connection reset"), s.lastError());
        s.onLinkEvent(new LinkEvent.Received(first, new Ack(3)));
        assertEquals(List.of(1L), heard.durable, "an event of the closed link is ignored");

        // The target made sequence 2 durable before the link dropped, not 3.
        EmbeddedChannel second = handshake(s, startNs + TimeUnit.MILLISECONDS.toNanos(MAX_MS * 2), 2);
        assertEquals(List.of(1L, 2L), heard.durable);
        assertTrue(s.inFlight().isEmpty());
        assertEquals(1, s.resend().size());
        InFlight.Entry lost = s.resend().poll();
        assertEquals(12, lost.block());
        assertEquals(startNs - 3, lost.readNs(), "a block sent again keeps its first read time");
        assertEquals(4, s.takeSequence(), "sequences go on after the last one sent");
        assertEquals(2, channels.made.size());
        assertTrue(second.isOpen());
        s.close();
    }

    @Test
    void shouldReconnectOnlyOnceTheBackoffHasPassed() throws IOException {
        TargetSession s = session(0);
        long startNs = System.nanoTime();
        s.connectIfDue(startNs);
        s.connectIfDue(startNs);
        assertEquals(1, channels.made.size(), "one attempt at a time");
        s.onLinkEvent(new LinkEvent.ConnectFailed(channels.last(), new IOException("connection refused")));
        assertTrue(s.firstHandshake().isCompletedExceptionally(), "the first refusal fails the start");

        long failedNs = System.nanoTime();
        s.connectIfDue(failedNs);
        assertEquals(1, channels.made.size(), "no attempt before the backoff has passed");
        long waitMs = s.nextAttemptMs(failedNs);
        assertTrue(waitMs > 0 && waitMs <= MIN_MS, "waits " + waitMs + " ms");
        assertEquals(1, s.failedAttempts(failedNs));
        s.connectIfDue(failedNs + TimeUnit.MILLISECONDS.toNanos(waitMs) + 1);
        assertEquals(2, channels.made.size(), "attempts again once the backoff has passed");
        s.close();
    }

    @Test
    void shouldForgetEverythingInFlightWhenTheTargetLostWhatItAcknowledged() throws IOException {
        TargetSession s = session(5);
        EmbeddedChannel ch = handshake(s, System.nanoTime(), 5);
        send(s, 1, System.nanoTime());
        s.onLinkEvent(new LinkEvent.Closed(ch, null));
        handshake(s, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_MS * 2), 2);
        assertEquals(1, heard.lostData);
        assertEquals(2, s.durableSequence());
        assertTrue(s.inFlight().isEmpty());
        assertTrue(s.resend().isEmpty(), "everything is compared and sent again by a rescan, not resent");
        s.close();
    }

    @Test
    void shouldSayWhyTheTargetRefused() throws IOException {
        TargetSession s = session(0);
        EmbeddedChannel ch = handshake(s, System.nanoTime(), 0);
        s.onLinkEvent(new LinkEvent.Received(ch, new ErrorFrame(ErrorCode.IO_ERROR, "no space left on device")));
        assertEquals(List.of(ErrorCode.IO_ERROR), heard.refused);
        assertEquals("target refused: no space left on device (IO_ERROR)", s.lastError());
        assertNull(s.nextAttemptMs(System.nanoTime()), "still connected");
        s.close();
    }
}
