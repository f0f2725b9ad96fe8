package io.replicator.target.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.replicator.protocol.guard.ConnectionLimiter;
import io.replicator.protocol.guard.PeerText;
import io.replicator.protocol.tls.CrlCheck;
import io.replicator.protocol.tls.PeerIdentity;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TlsContexts;
import io.replicator.protocol.tls.TlsFailures;
import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameEncoder;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.Heartbeat;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.apply.ApplyQueue;
import io.replicator.target.apply.ApplyTask;
import io.replicator.target.apply.Applier;
import io.replicator.target.apply.SessionLink;
import io.replicator.target.cutover.Cutovers;
import io.replicator.target.cutover.Seal;
import io.replicator.target.internal.SourceRegistry;
import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection from a source: the handshake, the cheap checks on every frame, and the hand-over
 * to the session's apply thread, which it starts once the source id is claimed. With TLS, only a
 * certificate with role source may connect, and only as the source id its certificate names; a
 * revoked certificate is cut off ({@link #closeIfRevoked}). A source id sealed by a cutover is refused
 * ({@code CUT_OVER}) at its HELLO and at any block, barrier or hash request; a cutover report goes to
 * the apply thread in order with the frames before it. A connection without an accepted HELLO
 * within the HELLO deadline is closed, and so is a session that received nothing for the idle
 * timeout; a session that wrote nothing for the heartbeat interval sends a HEARTBEAT. Never touches a
 * disk.
 *
 * <p>Back-pressure, both ways: reading pauses while the apply queue is full or the channel is not
 * writable (what was sent is above the write buffer's high-water mark), and {@link #send} makes the
 * apply and force threads wait while it is not writable. So a source that does not read its answers
 * holds at most the queue's bytes and the write buffer's high-water mark plus a frame per sending
 * thread; one that takes nothing for the idle timeout is closed.
 *
 * <p>The handler's state is confined to the channel's event loop; the {@link SessionLink} and {@link
 * ApplyQueue.Pressure} methods may be called from the apply thread and hop onto the event loop.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter implements SessionLink, ApplyQueue.Pressure {
    private static final int MAX_LOGGED_REASON_CHARS = 160;
    /** How long a refused connection has to take its error frame before it is closed regardless. */
    static final long CLOSE_GRACE_MS = 500;
    private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);
    /** How often a thread waiting in {@link #send} looks again without being woken. */
    private static final long WRITABLE_RECHECK_MS = 100;

    /** What the receiver offers: every common feature, and it keeps a journal. */
    static final long OFFERED_FEATURES = ProtocolVersion.SUPPORTED_FEATURES | ProtocolVersion.FEATURE_JOURNAL;

    private enum State { AWAIT_HELLO, OPENING, READY, CLOSED }

    private final ServerContext server;
    private final ConnectionLimiter.Slot slot;
    private Channel channel;
    private String remote = "?";
    private PeerIdentity peer;
    private ScheduledFuture<?> helloDeadline;
    private long readingResumedNs = System.nanoTime();
    private State state = State.AWAIT_HELLO;
    private Hello hello;
    private int version;
    private SourceRegistry.Claim claim;
    private ApplyQueue queue;
    private FrameChecks checks;
    private boolean queueFull;
    private boolean counted;
    private long unwritableSinceNs;
    /** This session's share of the receiver's rate; null before HELLO. */
    private ShareMeter meter;
    /** Threads waiting in {@link #send} wait on it; woken when the channel becomes writable or inactive. */
    private final Object writability = new Object();

    SessionHandler(ServerContext server, ConnectionLimiter.Slot slot) {
        this.server = server;
        this.slot = slot;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        remote = String.valueOf(channel.remoteAddress());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        helloDeadline = ctx.executor().schedule(this::helloTimedOut, server.config().helloTimeoutMs(),
                TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    private void helloTimedOut() {
        if (state != State.AWAIT_HELLO) {
            return;
        }
        server.metrics().connectionRefused("timeout");
        if (server.tls() == null || peer != null) {
            refuse(ErrorCode.TIMED_OUT, String.format("no valid HELLO within %d ms of connecting (limit %d ms)",
                    server.config().helloTimeoutMs(), server.config().helloTimeoutMs()));
            return;
        }
        server.refusals().refused(slot.prefix(), String.format("refused connection from %s: no TLS handshake and HELLO "
                + "within %d ms of connecting; closed", remote, server.config().helloTimeoutMs()));
        state = State.CLOSED;
        channel.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                onTlsEstablished(ctx);
            } else if (done.cause() instanceof SslHandshakeTimeoutException) {
                server.metrics().connectionRefused("tls");
                server.refusals().refused(slot.prefix(), String.format("refused connection from %s: TLS handshake not done "
                        + "within %d ms; closed", remote, server.config().tlsHandshakeTimeoutMs()));
                state = State.CLOSED;
            }
        } else if (evt instanceof IdleStateEvent idle) {
            onIdle(idle.state());
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The peer proved a certificate of our CA: it must be a source's and not revoked by now. */
    private void onTlsEstablished(ChannelHandlerContext ctx) {
        try {
            peer = TlsContexts.peerIdentity(ctx.pipeline().get(SslHandler.class).engine().getSession());
        } catch (SSLPeerUnverifiedException e) {
            refuse(ErrorCode.NOT_AUTHORIZED, "no usable client certificate: " + e.getMessage());
            return;
        }
        if (peer.role() != Role.SOURCE) {
            refuse(ErrorCode.NOT_AUTHORIZED, String.format("the certificate of %s has role %s; only certificates with "
                    + "role %s may replicate to a target", peer, peer.role(), Role.SOURCE));
        } else if (server.crl() != null && server.crl().current().isRevoked(peer.serial())) {
            refuse(ErrorCode.REVOKED, String.format("certificate serial %s of source %s is revoked", peer.serial(),
                    peer.id()));
        }
    }

    /** Cuts the session off when {@code crl} revokes its peer's certificate. Any thread. */
    void closeIfRevoked(CrlCheck crl) {
        channel.eventLoop().execute(() -> {
            if (peer != null && state != State.CLOSED && crl.isRevoked(peer.serial())) {
                refuse(ErrorCode.REVOKED, String.format("certificate serial %s of source %s was revoked; closing",
                        peer.serial(), peer.id()));
            }
        });
    }

    private void onIdle(IdleState idle) {
        if (state != State.READY) {
            return;
        }
        if (idle == IdleState.WRITER_IDLE) {
            if (channel.isWritable()) {
                channel.writeAndFlush(Heartbeat.INSTANCE);
            }
        } else if (idle == IdleState.READER_IDLE && !channel.isWritable()
                && System.nanoTime() - unwritableSinceNs >= TimeUnit.MILLISECONDS.toNanos(server.config().idleTimeoutMs())) {
            log.warn("source {} from {} took nothing the target sent for {} ms (idle timeout {} ms); closing",
                    PeerText.escape(hello.sourceId()), remote,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - unwritableSinceNs), server.config().idleTimeoutMs());
            state = State.CLOSED;
            channel.close();
        } else if (idle == IdleState.READER_IDLE && channel.config().isAutoRead()
                && System.nanoTime() - readingResumedNs >= TimeUnit.MILLISECONDS.toNanos(server.config().idleTimeoutMs())) {
            refuse(ErrorCode.TIMED_OUT, String.format("source %s sent nothing for %d ms (idle timeout %d ms; a live "
                    + "source sends a HEARTBEAT when it has nothing else to send)", hello.sourceId(),
                    server.config().idleTimeoutMs(), server.config().idleTimeoutMs()));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean handedOver = false;
        try {
            if (!(msg instanceof Frame frame)) {
                throw new IllegalStateException("not a frame: " + msg.getClass().getName());
            }
            switch (state) {
                case AWAIT_HELLO -> onFirstFrame(frame);
                case OPENING -> {
                    if (!(frame instanceof Heartbeat)) {
                        refuse(ErrorCode.UNEXPECTED_FRAME, "frame " + frame.type() + " arrived before HELLO_ACK was sent");
                    }
                }
                case READY -> handedOver = onFrame(frame);
                case CLOSED -> { }
            }
        } catch (ProtocolException e) {
            refuse(e.code(), e.getMessage());
        } finally {
            if (!handedOver) {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private void onFirstFrame(Frame frame) {
        if (!(frame instanceof Hello h)) {
            refuse(ErrorCode.UNEXPECTED_FRAME, "the first frame must be HELLO, got " + frame.type());
            return;
        }
        version = ProtocolVersion.negotiate(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                h.minVersion(), h.maxVersion());
        Set<String> names = new HashSet<>();
        for (VolumeInfo v : h.volumes()) {
            if (!names.add(v.name())) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                        "source " + h.sourceId() + " declares volume " + v.name() + " twice");
            }
        }
        if (server.tls() != null) {
            if (peer == null) {
                refuse(ErrorCode.NOT_AUTHORIZED, "HELLO before the TLS handshake named the peer");
                return;
            }
            if (!peer.id().equals(h.sourceId())) {
                refuse(ErrorCode.NOT_AUTHORIZED, String.format("the certificate of %s does not allow HELLO as source "
                        + "'%s': a source replicates only as the id its certificate names ('%s')", peer, h.sourceId(),
                        peer.id()));
                return;
            }
        }
        hello = h;
        if (Cutovers.isReserved(h.sourceId())) {
            refuse(ErrorCode.VOLUME_UNAVAILABLE, String.format("source id '%s' names the directory where this "
                    + "receiver keeps its cutover reports; give the source another --id", h.sourceId()));
            return;
        }
        if (refusedAsSealed()) {
            return;
        }
        claim = server.registry().claim(h.sourceId(), remote);
        if (claim == null) {
            refuse(ErrorCode.ALREADY_CONNECTED, String.format("source %s is already connected from %s; "
                    + "refusing the second connection from %s", h.sourceId(),
                    server.registry().remoteAddress(h.sourceId()), remote));
            return;
        }
        state = State.OPENING;
        helloDeadline.cancel(false);
        slot.release();
        checks = new FrameChecks(h.volumes(), h.features() & OFFERED_FEATURES);
        meter = new ShareMeter(server.limits(), channel.eventLoop(), this::updateReading);
        queue = new ApplyQueue(server.limits()::maxQueuedBytes, this);
        try {
            new Applier(h.sourceId(), h.volumes(), claim, server.volumes(), queue, this, server.metrics(),
                    server.config(), server.turns(), server.cutovers(), server.histories()).start();
        } catch (RuntimeException | Error e) {
            // No thread for the session (out of memory or threads): it ends here and lets go of the id.
            claim.abandon();
            server.registry().release(claim);
            log.error("source {}: cannot start the session's apply thread", PeerText.escape(h.sourceId()), e);
            refuse(ErrorCode.VOLUME_UNAVAILABLE, "the target cannot start a session for source " + h.sourceId()
                    + " now: " + e + "; reconnect to retry");
        }
    }

    /** Returns whether the frame was handed to the apply thread (which then releases it). */
    private boolean onFrame(Frame frame) {
        if ((frame instanceof BlockFrame || frame instanceof HashRequest || frame instanceof Barrier
                || frame instanceof Checkpoint) && refusedAsSealed()) {
            return false;
        }
        if (frame instanceof BlockFrame block) {
            checks.checkBlock(block);
            ApplyTask.Apply task = new ApplyTask.Apply(block);
            long nowNs = System.nanoTime();
            claim.source().received(block.volume(), block.sequence(), task.costBytes(), nowNs);
            meter.received(task.costBytes(), nowNs);
            queue.offer(task);
            return true;
        }
        if (frame instanceof HashRequest request) {
            checks.checkHash(request);
            queue.offer(new ApplyTask.Hash(request));
        } else if (frame instanceof Barrier barrier) {
            checks.checkBarrier(barrier);
            queue.offer(new ApplyTask.Sync(barrier));
        } else if (frame instanceof Checkpoint checkpoint) {
            checks.checkCheckpoint(checkpoint);
            queue.offer(new ApplyTask.Point(checkpoint));
        } else if (frame instanceof CutoverReport report) {
            checks.checkReport(report);
            queue.offer(new ApplyTask.Report(report));
        } else if (frame instanceof Heartbeat) {
            return false;
        } else if (frame instanceof ErrorFrame error) {
            log.warn("source {} from {} reported {}: {}; closing", PeerText.escape(hello.sourceId()), remote,
                    error.code(), PeerText.escape(error.message()));
            state = State.CLOSED;
            channel.close();
        } else {
            refuse(ErrorCode.UNEXPECTED_FRAME, "frame " + frame.type() + " is not expected from a source");
        }
        return false;
    }

    /** Refuses the session with {@code CUT_OVER} when its source id is sealed; returns whether it did. */
    private boolean refusedAsSealed() {
        Optional<Seal> seal = server.cutovers().find(hello.sourceId());
        seal.ifPresent(s -> refuse(ErrorCode.CUT_OVER, s.refusal()));
        return seal.isPresent();
    }

    /** Logs the refusal (peer text escaped), sends the error frame and closes. Event loop only. */
    private void refuse(ErrorCode code, String message) {
        String who = hello != null ? "source " + hello.sourceId() : peer != null ? peer.toString() : "connection";
        if (code == ErrorCode.CUT_OVER && hello != null) {
            // A sealed source may retry for ever: its lines are rate-limited (and escaped) per source id.
            server.cutovers().refused(hello.sourceId(), String.format("refused source %s from %s: %s %s",
                    hello.sourceId(), remote, code, message));
        } else if (code == ErrorCode.IO_ERROR) {
            log.error("{} from {}: {} {}", PeerText.escape(who), remote, code, PeerText.escape(message));
        } else if (hello == null && peer == null) {
            // Not authenticated: anyone can cause this, so its lines are rate-limited.
            server.refusals().refused(slot.prefix(), "refused " + who + " from " + remote + ": " + code + " " + message);
        } else {
            log.warn("refused {} from {}: {} {}", PeerText.escape(who), remote, code, PeerText.escape(message));
        }
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        server.metrics().error(code);
        if (claim != null) {
            // Only a source that passed its handshake gets series of its own: a peer's claim costs nothing.
            server.metrics().sourceError(hello.sourceId(), code);
        }
        channel.writeAndFlush(new ErrorFrame(code, message)).addListener(ChannelFutureListener.CLOSE);
        // A peer that does not read (half-open, or hostile) must not keep the connection by not taking the error.
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void opened(long durableSequence, String volumes) {
        channel.eventLoop().execute(() -> {
            if (state != State.OPENING) {
                return;
            }
            state = State.READY;
            checks.resumeFrom(durableSequence);
            server.metrics().sourceConnected(hello.sourceId());
            counted = true;
            channel.writeAndFlush(new HelloAck(version, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                    hello.features() & OFFERED_FEATURES, durableSequence));
            log.info("source {} connected from {} (protocol v{}): volumes {}; durable sequence {}, resuming from {}",
                    PeerText.escape(hello.sourceId()), remote, version, PeerText.escape(volumes), durableSequence,
                    durableSequence + 1);
        });
    }

    /**
     * Waits while the channel is not writable, then encodes {@code frame} on the calling thread and
     * writes it: as a buffer its bytes count against the write buffer's water marks from the moment it
     * is queued, not only once the event loop has encoded it. The receiver sends no block frames (whose
     * payload is not part of that encoding).
     */
    @Override
    public boolean send(Frame frame) {
        if (channel.eventLoop().inEventLoop() || frame instanceof BlockFrame) {
            throw new IllegalStateException("send waits for the peer to read, off the event loop, and sends no "
                    + "block frames: " + frame.type());
        }
        if (!awaitWritable()) {
            return false;
        }
        ByteBuf bytes = channel.alloc().ioBuffer();
        try {
            FrameEncoder.encode(frame, bytes);
        } catch (RuntimeException e) {
            bytes.release();
            throw e;
        }
        channel.writeAndFlush(bytes);
        return true;
    }

    @Override
    public boolean connected() {
        return channel.isActive();
    }

    /** Waits until the channel is writable or gone; false when it is gone (or the thread was interrupted). */
    private boolean awaitWritable() {
        synchronized (writability) {
            while (channel.isActive() && !channel.isWritable()) {
                try {
                    writability.wait(WRITABLE_RECHECK_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return channel.isActive();
    }

    private void wakeSenders() {
        synchronized (writability) {
            writability.notifyAll();
        }
    }

    @Override
    public void fail(ErrorCode code, String message) {
        channel.eventLoop().execute(() -> refuse(code, message));
    }

    @Override
    public void pauseReading() {
        queueFull = true;
        updateReading();
    }

    @Override
    public void resumeReading() {
        channel.eventLoop().execute(() -> {
            queueFull = false;
            updateReading();
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!channel.isWritable()) {
            unwritableSinceNs = System.nanoTime();
        }
        updateReading();
        wakeSenders();
        ctx.fireChannelWritabilityChanged();
    }

    private void updateReading() {
        boolean read = !queueFull && (meter == null || !meter.limited()) && channel.isWritable();
        if (meter != null) {
            meter.held(!read);
        }
        if (channel.config().isAutoRead() != read) {
            if (read) {
                readingResumedNs = System.nanoTime();
            }
            channel.config().setAutoRead(read);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        wakeSenders();
        slot.release();
        if (helloDeadline != null) {
            helloDeadline.cancel(false);
        }
        if (meter != null) {
            meter.close();
        }
        if (claim != null) {
            queue.offer(new ApplyTask.Stop());
            server.registry().release(claim);
            if (counted) {
                server.metrics().sourceDisconnected(hello.sourceId());
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ProtocolException e) {
                refuse(e.code(), e.getMessage());
                return;
            }
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException e) {
                String why = TlsFailures.describe(e);
                // "not an SSL/TLS record" carries a hex dump of the whole record: keep the reason.
                server.metrics().connectionRefused("tls");
                server.refusals().refused(slot.prefix(), "connection from " + remote + " refused: TLS handshake failed: "
                        + PeerText.escape(why, MAX_LOGGED_REASON_CHARS));
                state = State.CLOSED;
                ctx.close();
                return;
            }
        }
        if (cause instanceof IOException) {
            log.info("connection from {} lost: {}", remote, cause.toString());
        } else {
            log.error("connection from {} failed; closing it", remote, cause);
        }
        state = State.CLOSED;
        ctx.close();
    }

}
