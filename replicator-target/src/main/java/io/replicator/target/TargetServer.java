package io.replicator.target;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.replicator.protocol.tls.CrlReloader;
import io.replicator.protocol.tls.TlsContexts;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.target.apply.ProgressFile;
import io.replicator.target.apply.VolumeOpener;
import io.replicator.target.apply.JournalWarmup;
import io.replicator.target.apply.SourceHistories;
import io.replicator.target.cutover.Cutovers;
import io.replicator.target.journal.CheckpointInfo;
import io.replicator.target.journal.SourceHistory;
import io.replicator.target.cutover.Seal;
import io.replicator.target.internal.FileChannelOpener;
import io.replicator.target.internal.SourceRegistry;
import io.replicator.target.internal.VolumeProgress;
import io.replicator.target.net.ServerContext;
import io.replicator.target.net.TargetChannelInitializer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target receiver: accepts sources on one address and writes what they send onto their
 * volumes, durably, until a cutover seals a source ({@link #cutovers}). {@link #start} returns once it
 * listens, and refuses to start on a seal file it cannot read; {@link #close} stops accepting, closes
 * every session, makes everything applied durable and closes the files. Thread-safe.
 */
public final class TargetServer implements AutoCloseable {
    private static final int RECEIVE_MIN_BYTES = 4 << 10;
    private static final int RECEIVE_INITIAL_BYTES = 64 << 10;
    private static final int RECEIVE_MAX_BYTES = 1 << 20;
    /** How long {@link #close()} waits for apply threads to make their data durable. */
    public static final long CLOSE_TIMEOUT_MS = 60_000;
    /**
     * Outbound bytes above which a session stops reading, and its apply and force threads wait, until
     * its peer has taken its answers down to {@link #WRITE_BUFFER_LOW_BYTES}.
     */
    public static final int WRITE_BUFFER_HIGH_BYTES = 1 << 20;
    public static final int WRITE_BUFFER_LOW_BYTES = 256 << 10;

    private static final Logger log = LoggerFactory.getLogger(TargetServer.class);

    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup sessionGroup;
    private final Channel serverChannel;
    private final ChannelGroup sessions;
    private final SourceRegistry registry;
    private final InetSocketAddress localAddress;
    private final ServerContext context;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TargetServer(EventLoopGroup acceptGroup, EventLoopGroup sessionGroup, Channel serverChannel,
                         ChannelGroup sessions, SourceRegistry registry, ServerContext context) {
        this.context = context;
        this.acceptGroup = acceptGroup;
        this.sessionGroup = sessionGroup;
        this.serverChannel = serverChannel;
        this.sessions = sessions;
        this.registry = registry;
        this.localAddress = (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Binds and returns once listening; an IOException naming the address when it cannot bind, or the
     * seal file when one cannot be read.
     */
    public static TargetServer start(TargetConfig config, MeterRegistry registry) throws IOException {
        return start(config, registry, FileChannelOpener.DEFAULT);
    }

    static TargetServer start(TargetConfig config, MeterRegistry meterRegistry, FileChannelOpener opener)
            throws IOException {
        Files.createDirectories(config.dataDir());
        Cutovers cutovers = Cutovers.open(config.dataDir());
        SourceRegistry sources = new SourceRegistry();
        sources.load(config.dataDir());
        VolumeOpener volumes = new VolumeOpener(config.dataDir(), config.maps(), opener);
        for (Seal seal : cutovers.seals()) {
            sources.remember(seal.sourceId(), new ProgressFile(volumes.sourceDir(seal.sourceId())).read(),
                    seal.volumes().stream().map(v -> new VolumeProgress(v.name(), v.path(), v.sizeBytes())).toList());
        }
        ChannelGroup sessions = new DefaultChannelGroup("replicator-target-sessions", GlobalEventExecutor.INSTANCE);
        TargetMetrics metrics = new TargetMetrics(meterRegistry);
        metrics.sealedBy(id -> cutovers.find(id).isPresent());
        SourceHistories histories = new SourceHistories(config.journalConfig());
        if (config.journal()) {
            JournalWarmup.start();
        }
        ServerContext context = ServerContext.create(config, sources, metrics, volumes,
                sessions, cutovers, histories);
        metrics.histories(histories);
        EventLoopGroup acceptGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup sessionGroup = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, sessionGroup)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Block frames are up to 1 MiB: read in large chunks so that a frame rarely spans reads.
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(
                        RECEIVE_MIN_BYTES, RECEIVE_INITIAL_BYTES, RECEIVE_MAX_BYTES))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(WRITE_BUFFER_LOW_BYTES, WRITE_BUFFER_HIGH_BYTES))
                .childHandler(new TargetChannelInitializer(context));
        Channel serverChannel;
        try {
            serverChannel = bootstrap.bind(config.listen()).sync().channel();
        } catch (Exception e) {
            context.close();
            acceptGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            sessionGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("cannot listen on " + config.listen() + ": " + e, e);
        }
        TargetServer server = new TargetServer(acceptGroup, sessionGroup, serverChannel, sessions, sources, context);
        log.info("target receiver listening on {} ({}), data in {}{}", server.localAddress,
                config.pki() == null ? "plain TCP" : "mutual TLS 1.3 on " + TlsContexts.providerName(), config.dataDir(),
                config.maps().isEmpty() ? "" : ", mapped volumes " + config.maps());
        return server;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * The revocation list the receiver follows (its bundle's {@code crl.pem}, re-read on change and
     * SIGHUP), for its admin endpoint to use too; empty for plain TCP.
     */
    public Optional<CrlReloader> crl() {
        return Optional.ofNullable(context.crl());
    }

    /** A snapshot of every source seen since start or sealed, with its seal; safe from any thread. */
    public TargetStatus status() {
        long rate = context.limits().totalBytesPerSecond();
        TargetStatus fleet = registry.status(rate == 0 ? null : rate);
        return new TargetStatus(fleet.role(), fleet.startedAtMs(), fleet.maxRateBytesPerSecond(),
                fleet.sources().stream().map(s -> s.withSealed(context.cutovers().find(s.id())
                        .map(seal -> new TargetStatus.Sealed(seal.sealedUtc(), seal.reportId())).orElse(null))
                        .withHistory(historyStatus(s.id()))).toList());
    }

    private TargetStatus.History historyStatus(String sourceId) {
        try {
            return context.histories().find(sourceId).map(TargetServer::historyStatus).orElse(null);
        } catch (IOException e) {
            log.warn("status: cannot read the history of source {}: {}", sourceId, e.toString());
            return null;
        }
    }

    private static TargetStatus.History historyStatus(SourceHistories.History h) {
        return new TargetStatus.History(h.oldestLaunchable().map(TargetServer::point).orElse(null),
                h.newestLaunchable().map(TargetServer::point).orElse(null), h.catalog().list().size(), h.journalBytes(),
                h.historyHeld().toMillis(), h.historyAsked().toMillis(), h.historyShort(), h.inGap());
    }

    private static TargetStatus.Point point(CheckpointInfo c) {
        return new TargetStatus.Point(c.checkpointId(), c.timeMs(), c.label());
    }

    /** The sources' histories (checkpoints, undo queues, pins), for listing and launching. Thread-safe. */
    public SourceHistories histories() {
        return context.histories();
    }

    /** The history of {@code sourceId} when it has one (its journal phase began, or it recorded a checkpoint). */
    public Optional<SourceHistory> history(String sourceId) throws IOException {
        return context.histories().find(sourceId).map(h -> h);
    }

    /** The settings it was started with. */
    public TargetConfig config() {
        return context.config();
    }

    /** The cutover records: seals (released here) and reports kept. Thread-safe. */
    public Cutovers cutovers() {
        return context.cutovers();
    }

    /** Limits bytes received per second over all sources at once, shared equally among those sending; 0 lifts it. */
    public void throttle(long bytesPerSecond) {
        context.limits().totalBytesPerSecond(bytesPerSecond);
        log.info("receive limit over all sources: {}", bytesPerSecond == 0 ? "none"
                : io.replicator.protocol.text.Rates.format(bytesPerSecond));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        context.close();
        sessions.writeAndFlush(new ErrorFrame(ErrorCode.SHUTTING_DOWN, "the target is shutting down; reconnect later"))
                .awaitUninterruptibly(CLOSE_TIMEOUT_MS);
        sessions.close().awaitUninterruptibly(CLOSE_TIMEOUT_MS);
        try {
            if (!registry.awaitSessionsDone(CLOSE_TIMEOUT_MS)) {
                log.warn("apply threads did not finish within {} ms; what they did not commit is not durable",
                        CLOSE_TIMEOUT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while waiting for apply threads; what they did not commit is not durable");
        }
        context.histories().close();
        acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        sessionGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("target receiver on {} stopped", localAddress);
    }
}
