package io.replicator.source.sync;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.guard.PeerText;
import io.replicator.protocol.text.Causes;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CheckpointAck;
import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session with the target: connecting when the {@link ReconnectBackoff} says so, the
 * handshake, the sequence numbers, the blocks in flight ({@link InFlight}) and those to send again
 * after a lost link ({@link ResendQueue}), and the acknowledgements. What an acknowledgement or a
 * job's answer means for the volumes it tells its {@link Listener}. Frames are written here and
 * flushed every {@link #FLUSH_BYTES} or when the agent's turn ends. Not thread-safe: owned by the
 * sync agent's thread; the link's event loop hands its events through the agent's inbox.
 */
final class TargetSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TargetSession.class);
    static final int FLUSH_BYTES = 256 << 10;
    /** What the source offers in its Hello: the protocol's features and the checkpoints of a journaling target. */
    static final long OFFERED_FEATURES = ProtocolVersion.SUPPORTED_FEATURES | ProtocolVersion.FEATURE_JOURNAL;

    /**
     * How the session reaches the target: a {@link TargetLink}, whose events reach
     * {@link #onLinkEvent} through the agent's inbox (in tests, an in-memory channel).
     */
    interface Connector extends AutoCloseable {
        /** Starts connecting; the outcome arrives as a {@link LinkEvent} naming the channel returned. */
        Channel connect(InetSocketAddress target);

        @Override
        void close();
    }

    /** What the session tells the agent. Called on the agent's thread. */
    interface Listener {
        /** The target made the block of {@code e} durable: commit its fingerprint. */
        void durable(InFlight.Entry e) throws IOException;

        /** An acknowledgement up to {@code durableSequence} was taken; {@code committed}: it made blocks durable. */
        void acknowledged(long durableSequence, boolean committed) throws IOException;

        /** The target holds less than it acknowledged before: every block is compared and sent again. */
        void targetLostData() throws IOException;

        /** A barrier's ack or hashes, for the jobs (an ack's sequence is taken first). */
        void received(Frame frame) throws IOException;

        /** The target refused what it was sent with {@code code}; {@code why} is also the session's last error. */
        void refused(ErrorCode code, String why);

        /** The link was lost after the first handshake. */
        void connectionLost();
    }

    private final AgentConfig config;
    private final List<VolumeInfo> volumes;
    private final Listener listener;
    private final Connector link;
    private final ReconnectBackoff backoff;
    private final ReconnectLog reconnectLog;
    private final CompletableFuture<Void> firstHandshake = new CompletableFuture<>();
    private final InFlight inFlight;
    private final ResendQueue resend;
    /** How fast the target makes data durable, for the cutover's estimate of its drain. */
    private final DrainRate drainRate = new DrainRate(System.nanoTime());
    private Channel channel;
    private boolean handshaken;
    /** How many sessions were handshaken: a barrier sent in one is answered, if at all, in that one. */
    private long sessions;
    /** The target takes frames of several blocks ({@link ProtocolVersion#FEATURE_BLOCK_RUNS}). */
    private boolean blockRuns;
    /** The target keeps cutover reports and seals ({@link ProtocolVersion#FEATURE_CUTOVER_SEAL}). */
    private boolean cutoverSeal;
    /** The target journals changes and keeps checkpoints ({@link ProtocolVersion#FEATURE_JOURNAL}). */
    private boolean journal;
    /** The initial copy's end was told to the target in this session. */
    private boolean initialCopyToldThisSession;
    /** What the target held when this session began, and whether a block frame was sequenced since. */
    private long sessionStartSequence;
    private boolean sequencedThisSession;
    /** Block frames held in memory instead of written, while a checkpoint captures; null when not holding. */
    private HeldFrames held;
    private String lastError;
    private long nextSequence = 1;
    private long durableSequence;
    private long unflushedBytes;
    /** Block frames written and not yet handed to the link. */
    private final FrameBatch batch = new FrameBatch();
    /** The source was cut over: it does not connect again (until released). */
    private boolean closedForGood;

    /**
     * @param durableSequence what the target acknowledged durable in the last run
     * @param link            the way to the target
     */
    TargetSession(AgentConfig config, List<VolumeInfo> volumes, long durableSequence, Connector link,
                  ReconnectBackoff backoff, Listener listener) {
        this.config = config;
        this.volumes = List.copyOf(volumes);
        this.durableSequence = durableSequence;
        this.link = link;
        this.backoff = backoff;
        this.listener = listener;
        this.inFlight = new InFlight(volumes.size());
        this.resend = new ResendQueue(volumes.size());
        this.reconnectLog = new ReconnectLog(config.hostPort(), ReconnectLog.to(LOG));
    }

    /** Completes on the first successful handshake, or fails with the first refusal. */
    CompletableFuture<Void> firstHandshake() {
        return firstHandshake;
    }

    /** Connects when there is no link and the backoff says it is time. */
    void connectIfDue(long nowNs) {
        if (closedForGood) {
            return;
        }
        if (channel == null && backoff.due(nowNs)) {
            channel = link.connect(config.target());
        }
    }

    void onLinkEvent(LinkEvent e) throws IOException {
        if (e.channel() != channel) {
            if (e instanceof LinkEvent.Received r) {
                ReferenceCountUtil.release(r.frame());
            }
            return;
        }
        if (e instanceof LinkEvent.Connected) {
            channel.writeAndFlush(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                    OFFERED_FEATURES, config.sourceId(), volumes));
        } else if (e instanceof LinkEvent.ConnectFailed f) {
            disconnected(f.cause());
        } else if (e instanceof LinkEvent.Closed c) {
            disconnected(c.cause());
        } else if (e instanceof LinkEvent.Received r) {
            receive(r.frame());
        }
    }

    private void receive(Frame frame) throws IOException {
        if (frame instanceof HelloAck ack) {
            handshake(ack);
        } else if (frame instanceof Ack ack) {
            acknowledge(ack.durableSequence());
        } else if (frame instanceof BarrierAck ack) {
            acknowledge(ack.durableSequence());
            // The target's volumes hold everything sent before the barrier: progress, even with nothing new
            // in flight (blocks a journaling target held before applying them failed, say).
            if (backoff.acknowledged()) {
                reconnectLog.acknowledged(backoff.failures(System.nanoTime()));
            }
            listener.received(ack);
        } else if (frame instanceof HashResponse response) {
            listener.received(response);
        } else if (frame instanceof CutoverReportAck ack) {
            listener.received(ack);
        } else if (frame instanceof CheckpointAck ack && journal) {
            listener.received(ack);
        } else if (frame instanceof ErrorFrame error) {
            lastError = "target refused: " + PeerText.escape(error.message()) + " (" + error.code() + ")";
            backoff.refused(lastError);
            listener.refused(error.code(), lastError);
        } else {
            lastError = "target sent an unexpected " + frame.type() + " frame";
            channel.close();
        }
    }

    private void handshake(HelloAck ack) throws IOException {
        ProtocolVersion.negotiate(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                ack.minVersion(), ack.maxVersion());
        blockRuns = (ack.features() & ProtocolVersion.FEATURE_BLOCK_RUNS) != 0;
        cutoverSeal = (ack.features() & ProtocolVersion.FEATURE_CUTOVER_SEAL) != 0;
        journal = (ack.features() & ProtocolVersion.FEATURE_JOURNAL) != 0;
        initialCopyToldThisSession = false;
        sessionStartSequence = ack.durableSequence();
        sequencedThisSession = false;
        long targetDurable = ack.durableSequence();
        if (targetDurable < durableSequence) {
            LOG.warn("target {} holds sequence {} but acknowledged {} before: it lost data; "
                    + "every block will be compared and sent again", config.hostPort(), targetDurable, durableSequence);
            while (inFlight.pollAny() != null) {
                // the target no longer has anything we sent
            }
            listener.targetLostData();
            resend.clear();
            durableSequence = targetDurable;
        } else {
            acknowledge(targetDurable);
        }
        List<InFlight.Entry> lost = new ArrayList<>();
        for (InFlight.Entry e; (e = inFlight.pollAny()) != null; ) {
            lost.add(e);
        }
        resend.addLost(lost);
        nextSequence = Math.max(nextSequence, targetDurable + 1);
        handshaken = true;
        sessions++;
        backoff.connected(System.nanoTime());
        lastError = null;
        reconnectLog.connected("connected to target {} (protocol v{}): resuming after sequence {}, {} blocks to resend",
                config.hostPort(), ack.version(), targetDurable, resend.size());
        firstHandshake.complete(null);
    }

    private void acknowledge(long sequence) throws IOException {
        durableSequence = Math.max(durableSequence, sequence);
        InFlight.Entry e;
        boolean committed = false;
        while ((e = inFlight.pollAcked(sequence)) != null) {
            listener.durable(e);
            drainRate.acknowledged(e.lengthBytes());
            committed = true;
        }
        long now = System.nanoTime();
        if (committed && backoff.acknowledged()) {
            reconnectLog.acknowledged(backoff.failures(now));
        }
        listener.acknowledged(durableSequence, committed);
    }

    private void disconnected(Throwable cause) {
        String why = cause != null ? Causes.describe(cause) : handshaken || firstHandshake.isDone()
                ? "connection closed"
                : "the target closed the connection before answering the handshake (a receiver that requires "
                + "TLS does this to a source without --pki; its log says why)";
        long now = System.nanoTime();
        lastError = backoff.reason(why, now);
        batch.flush(null);
        channel = null;
        handshaken = false;
        dropHeld();
        long waitMs = backoff.failed(now);
        if (!firstHandshake.isDone()) {
            firstHandshake.completeExceptionally(new IOException(
                    "cannot reach target " + config.hostPort() + ": " + lastError));
            return;
        }
        listener.connectionLost();
        reconnectLog.failed(lastError, backoff.failures(now), waitMs, inFlight.size(), now);
    }

    /** Takes the sequence number of the next block frame. */
    long takeSequence() {
        sequencedThisSession = true;
        return nextSequence++;
    }

    /**
     * The last block sequence the target has received or will have received before a frame written now:
     * the last one sequenced in this session, else what the target held when it began (a sequence taken
     * in an earlier session may never have reached it). What a checkpoint names.
     */
    long coveredSequence() {
        return sequencedThisSession ? lastSequenceSent() : sessionStartSequence;
    }

    /** The sequence of the last frame sent. */
    long lastSequenceSent() {
        return nextSequence - 1;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /**
     * Writes a block frame of {@code payloadBytes}: it joins the {@link FrameBatch}, handed to the
     * link once {@link #FLUSH_BYTES} are written or when the agent's turn ends; while
     * {@linkplain #hold holding}, keeps it in memory instead.
     */
    void write(Frame frame, int payloadBytes) {
        if (held != null) {
            held.add(frame, payloadBytes);
            return;
        }
        batch.add(frame, payloadBytes + BlockFrame.HEADER_LENGTH, channel.alloc());
        unflushedBytes += payloadBytes + 1;
        if (unflushedBytes >= FLUSH_BYTES) {
            flush();
        }
    }

    /** Writes a frame that must go now, after the block frames written before it: a barrier, a hash request. */
    void writeAndFlush(Frame frame) {
        flush();
        channel.writeAndFlush(frame);
    }

    /** Hands what {@link #write} left unflushed to the link. */
    void flush() {
        if (unflushedBytes > 0 || !batch.isEmpty()) {
            batch.flush(channel);
            unflushedBytes = 0;
        }
    }

    /**
     * From now on block frames are sequenced and put in flight as usual but kept in memory, at most
     * {@code maxBytes} on the wire, until {@link #releaseHeld}: a checkpoint reads what changed while
     * the file systems are frozen and sends it once they are thawed.
     */
    void hold(long maxBytes) {
        if (held == null) {
            held = new HeldFrames(maxBytes);
        }
    }

    /** The frames held now, or null when not holding. */
    HeldFrames held() {
        return held;
    }

    /** Writes the held frames in order, then {@code after} (may be null), and stops holding. */
    void releaseHeld(Frame after) {
        HeldFrames h = held;
        held = null;
        if (h == null) {
            return;
        }
        if (channel == null) {
            h.release();
            return;
        }
        flush();
        h.writeTo(channel);
        if (after != null) {
            channel.write(after, channel.voidPromise());
        }
        channel.flush();
        unflushedBytes = 0;
    }

    /** Frees the held frames unsent (the link is gone: their blocks are resent from the volumes). */
    private void dropHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /** Whether the target journals changes and keeps checkpoints (negotiated JOURNAL). */
    boolean journal() {
        return journal;
    }

    /**
     * Tells the target, once per session, that the initial copy of every volume is complete, behind every
     * frame sent so far; does nothing when the target does not journal or was told in this session.
     */
    void initialCopyDone() {
        if (!handshaken || !journal || initialCopyToldThisSession || held != null) {
            return;
        }
        initialCopyToldThisSession = true;
        long sequence = coveredSequence();
        writeAndFlush(new Checkpoint(0, Checkpoint.Kind.INITIAL_COPY_DONE, 0, sequence,
                System.currentTimeMillis(), 0, ""));
        LOG.info("told the target {} that the initial copy is complete (sequence {}): it journals every change "
                + "from here on", config.hostPort(), sequence);
    }

    /**
     * Connected, handshaken, and the link takes more bytes now: Netty's writability, and the frames
     * handed to its event loop and not yet written count against its high water mark too.
     */
    boolean writable() {
        return handshaken && channel.isWritable() && batch.queuedBytes() < TargetLink.HIGH_WATER_MARK_BYTES;
    }

    boolean connected() {
        return handshaken;
    }

    /** The number of the current (or last) handshaken session; it changes with every new session. */
    long sessionNumber() {
        return sessions;
    }

    boolean hasConnectedOnce() {
        return firstHandshake.isDone();
    }

    boolean blockRuns() {
        return blockRuns;
    }

    boolean cutoverSeal() {
        return cutoverSeal;
    }

    String lastError() {
        return lastError;
    }

    long durableSequence() {
        return durableSequence;
    }

    InFlight inFlight() {
        return inFlight;
    }

    ResendQueue resend() {
        return resend;
    }

    DrainRate drainRate() {
        return drainRate;
    }

    /** Until the next attempt, or null while connected. */
    Long nextAttemptMs(long nowNs) {
        return handshaken ? null : backoff.waitMs(nowNs);
    }

    int failedAttempts(long nowNs) {
        return backoff.failures(nowNs);
    }

    /**
     * The source was cut over ({@code cutOver}) and does not connect again, or it was released and may:
     * a link open now stays open (the receiver refuses anything more from a sealed source anyway).
     */
    void closedForGood(boolean cutOver) {
        closedForGood = cutOver;
    }

    /** The agent stops: the first handshake, if still awaited, fails with {@code cause}; the link closes. */
    void stop(IOException cause) {
        firstHandshake.completeExceptionally(cause);
    }

    @Override
    public void close() {
        dropHeld();
        if (channel != null) {
            channel.close();
        }
        link.close();
    }
}
