package io.replicator.target.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.apply.ApplyQueue;
import io.replicator.target.apply.ApplyTask;
import io.replicator.target.apply.Applier;
import io.replicator.target.apply.SessionLink;
import io.replicator.target.internal.SourceRegistry;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection from a source: the handshake, the cheap checks on every frame, and the hand-over
 * to the session's apply thread, which it starts once the source id is claimed. Never touches a
 * disk. Reading pauses while the apply queue is full or the channel is not writable. The handler's
 * state is confined to the channel's event loop; the {@link SessionLink} and {@link
 * ApplyQueue.Pressure} methods may be called from the apply thread and hop onto the event loop.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter implements SessionLink, ApplyQueue.Pressure {
    private static final int MAX_LOGGED_REASON_CHARS = 160;
    private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

    private enum State { AWAIT_HELLO, OPENING, READY, CLOSED }

    private final ServerContext server;
    private Channel channel;
    private String remote = "?";
    private State state = State.AWAIT_HELLO;
    private Hello hello;
    private int version;
    private SourceRegistry.Claim claim;
    private ApplyQueue queue;
    private FrameChecks checks;
    private boolean queueFull;
    private boolean counted;

    SessionHandler(ServerContext server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        remote = String.valueOf(channel.remoteAddress());
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
                case OPENING -> refuse(ErrorCode.UNEXPECTED_FRAME,
                        "frame " + frame.type() + " arrived before HELLO_ACK was sent");
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
        hello = h;
        claim = server.registry().claim(h.sourceId(), remote);
        if (claim == null) {
            refuse(ErrorCode.ALREADY_CONNECTED, String.format("source %s is already connected from %s; "
                    + "refusing the second connection from %s", h.sourceId(),
                    server.registry().remoteAddress(h.sourceId()), remote));
            return;
        }
        state = State.OPENING;
        checks = new FrameChecks(h.volumes());
        queue = new ApplyQueue(server.config().maxQueuedBytes(), this);
        new Applier(h.sourceId(), h.volumes(), claim, server.volumes(), queue, this, server.metrics(),
                server.config()).start();
    }

    /** Returns whether the frame was handed to the apply thread (which then releases it). */
    private boolean onFrame(Frame frame) {
        if (frame instanceof BlockFrame block) {
            checks.checkBlock(block);
            queue.offer(new ApplyTask.Apply(block));
            return true;
        }
        if (frame instanceof HashRequest request) {
            checks.checkHash(request);
            queue.offer(new ApplyTask.Hash(request));
        } else if (frame instanceof Barrier barrier) {
            checks.checkBarrier(barrier);
            queue.offer(new ApplyTask.Sync(barrier));
        } else if (frame instanceof ErrorFrame error) {
            log.warn("source {} from {} reported {}: {}; closing", hello.sourceId(), remote, error.code(),
                    error.message());
            state = State.CLOSED;
            channel.close();
        } else {
            refuse(ErrorCode.UNEXPECTED_FRAME, "frame " + frame.type() + " is not expected from a source");
        }
        return false;
    }

    /** Logs the refusal, sends the error frame and closes. Event loop only. */
    private void refuse(ErrorCode code, String message) {
        String who = hello == null ? "connection" : "source " + hello.sourceId();
        if (code == ErrorCode.IO_ERROR) {
            log.error("{} from {}: {} {}", who, remote, code, message);
        } else {
            log.warn("refused {} from {}: {} {}", who, remote, code, message);
        }
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        server.metrics().error(code);
        channel.writeAndFlush(new ErrorFrame(code, message)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void opened(long durableSequence, String volumes) {
        channel.eventLoop().execute(() -> {
            if (state != State.OPENING) {
                return;
            }
            state = State.READY;
            checks.resumeFrom(durableSequence);
            server.metrics().sourceConnected();
            counted = true;
            channel.writeAndFlush(new HelloAck(version, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                    hello.features() & ProtocolVersion.SUPPORTED_FEATURES, durableSequence));
            log.info("source {} connected from {} (protocol v{}): volumes {}; durable sequence {}, resuming from {}",
                    hello.sourceId(), remote, version, volumes, durableSequence, durableSequence + 1);
        });
    }

    @Override
    public boolean send(Frame frame) {
        if (!channel.isActive()) {
            return false;
        }
        channel.writeAndFlush(frame);
        return true;
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
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    private void updateReading() {
        boolean read = !queueFull && channel.isWritable();
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        if (claim != null) {
            queue.offer(new ApplyTask.Stop());
            server.registry().release(claim);
            if (counted) {
                server.metrics().sourceDisconnected();
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
                String why = String.valueOf(e.getMessage());
                // "not an SSL/TLS record" carries a hex dump of the whole record: keep the reason.
                log.warn("connection from {} refused: TLS handshake failed: {}", remote,
                        why.length() > MAX_LOGGED_REASON_CHARS ? why.substring(0, MAX_LOGGED_REASON_CHARS) + "..." : why);
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
