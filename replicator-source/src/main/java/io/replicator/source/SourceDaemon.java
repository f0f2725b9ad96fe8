package io.replicator.source;

import io.micrometer.core.instrument.MeterRegistry;
import io.replicator.protocol.tls.CrlReloader;
import io.replicator.protocol.tls.PkiException;
import io.replicator.protocol.tls.TlsContexts;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.cutover.CutoverRecord;
import io.replicator.source.checkpoint.CheckpointIds;
import io.replicator.source.checkpoint.CheckpointPlan;
import io.replicator.source.checkpoint.CheckpointResult;
import io.replicator.source.checkpoint.CheckpointSchedule;
import io.replicator.source.checkpoint.Checkpoints;
import io.replicator.source.checkpoint.Hook;
import io.replicator.source.cutover.FreezeRecord;
import io.replicator.source.cutover.HeldOutput;
import io.replicator.source.cutover.OneServerReport;
import io.replicator.source.sync.AgentConfig;
import io.replicator.source.sync.LinkTls;
import io.replicator.source.sync.SyncAgent;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.volume.SourceVolume;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source daemon: opens the volumes and the state directory, connects to the target and runs
 * the {@link SyncAgent}. With a PKI bundle it follows the bundle's {@code crl.pem} ({@link CrlReloader}:
 * on change and on SIGHUP), and a target whose certificate a new list revokes is disconnected and not
 * connected to again. Its methods are thread-safe: each hands a request to the agent's thread and
 * returns a future of the answer.
 */
public final class SourceDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceDaemon.class);
    /** The sync agent answers a status request within this, or the last status it gave is answered. */
    public static final long STATUS_FRESH_MS = 500;
    /** Who asked, for a request made through this class's methods without naming anyone (tests, embedding). */
    public static final String LOCAL_CALLER = "local";
    /** A sync or verification that names no deadline gives up after an hour. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 3_600_000;
    /** The status reaches the metrics this often. */
    public static final long METRICS_SAMPLE_INTERVAL_MS = 1000;

    private record Timed(SourceStatus status, long atNs) {
    }

    private final SourceConfig config;
    private final SyncAgent agent;
    private final FileLock stateLock;
    private final String tracker;
    private final String trackerReason;

    private final Tracking tracking;
    private volatile Timed lastStatus;
    /** Samples the status into the metrics once a second ({@link SourceMetrics#sample}). */
    private final ScheduledExecutorService metricsSampler;
    /** Null for plain TCP. */
    private final CrlReloader crl;
    /** The last checkpoint and the checkpoint metrics. */
    private final Checkpoints checkpoints;
    private final CheckpointIds checkpointIds;
    /** Null without {@code --checkpoint-every}. */
    private final CheckpointSchedule checkpointSchedule;

    private SourceDaemon(SourceConfig config, SyncAgent agent, FileLock stateLock, Tracking tracking,
                         CrlReloader crl, SourceMetrics metrics, MeterRegistry registry, CheckpointIds checkpointIds) {
        this.config = config;
        this.checkpoints = new Checkpoints(registry, config.id());
        this.checkpointIds = checkpointIds;
        this.checkpointSchedule = config.checkpointEveryMs() <= 0 ? null : new CheckpointSchedule(
                config.checkpointEveryMs(), Clock.systemUTC(), () -> checkpoint(List.of(), "scheduled", "schedule"),
                r -> { });
        this.crl = crl;
        this.agent = agent;
        this.stateLock = stateLock;
        this.tracking = tracking;
        this.tracker = tracking.kind;
        this.trackerReason = tracking.reason;
        this.metricsSampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "source-metrics");
            t.setDaemon(true);
            return t;
        });
        metricsSampler.scheduleWithFixedDelay(() -> statusAsync().thenAccept(metrics::sample), METRICS_SAMPLE_INTERVAL_MS,
                METRICS_SAMPLE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens everything and waits for the first handshake with the target. Fails with a one-line
     * reason when a volume is missing, the state directory is locked or unusable, or the target
     * cannot be reached or refuses.
     */
    public static SourceDaemon start(SourceConfig config, MeterRegistry registry) throws SourceStartException {
        List<SourceVolume> volumes = new ArrayList<>();
        List<FingerprintStore> stores = new ArrayList<>();
        FileLock lock = null;
        Tracking tracking = null;
        CrlReloader crl = null;
        try {
            checkNames(config);
            Files.createDirectories(config.stateDir());
            lock = lockStateDir(config.stateDir());
            HeldOutput.install();
            FreezeRecord freezeRecord = FreezeRecord.of(config.runDir(), config.stateDir());
            freezeRecord.thawLeftovers();
            CutoverRecord cutOver = CutoverRecord.read(config.stateDir());
            for (SourceConfig.VolumeSpec spec : config.volumes()) {
                SourceVolume v = SourceVolume.open(spec.path(), spec.name());
                volumes.add(v);
                stores.add(FingerprintStore.open(config.stateDir().resolve(spec.name() + ".fp"), v.sizeBytes(),
                        config.blockSizeBytes()));
                LOG.info("volume {}: {} ({}, {} bytes, {}), {} of {} blocks known on the target from the last run",
                        spec.name(), spec.path(), v.isBlockDevice() ? "block device" : "file", v.sizeBytes(),
                        v.isDirect() ? "O_DIRECT" : "buffered", stores.get(stores.size() - 1).knownBlocks(),
                        stores.get(stores.size() - 1).blockCount());
            }
            tracking = Tracking.start(config, volumes);
            tracking.plan(config, volumes, stores);
            LinkTls tls = null;
            if (config.pki() != null) {
                crl = new CrlReloader(config.pki(), config.crlPollIntervalMs());
                tls = new LinkTls(TlsContexts.forClient(config.pki(), crl), crl);
            }
            AgentConfig agentConfig = new AgentConfig(config.id(), config.target(), config.scanIntervalMs(),
                    config.maxInFlightBytes(), config.connectTimeoutMs(), config.reconnectMinMs(),
                    config.reconnectMaxMs(), config.heartbeatIntervalMs(), config.idleTimeoutMs(), tls, freezeRecord,
                    config.stateDir(), cutOver, config.maxRate(), config.pacing());
            SourceMetrics metrics = new SourceMetrics(registry, config.id(),
                    config.volumes().stream().map(SourceConfig.VolumeSpec::name).toList());
            SyncAgent agent = new SyncAgent(agentConfig, tracking.setups, config.blockSizeBytes(),
                    metrics, tracking.feed(), tracking.reconcileReason, tracking.rescanReason);
            tracking.attach(agent);
            CheckpointIds checkpointIds = CheckpointIds.open(config.stateDir());
            SourceDaemon daemon = new SourceDaemon(config, agent, lock, tracking, crl, metrics, registry, checkpointIds);
            tracking = null;
            crl = null;
            LOG.info("source {}: tracker {} ({}); connecting to {} ({})", config.id(), daemon.tracker,
                    daemon.trackerReason, agentConfig.hostPort(),
                    config.pki() == null ? "plain TCP" : "mutual TLS 1.3 on " + TlsContexts.providerName());
            try {
                CompletableFuture<Void> connected = agent.start();
                // What the agent published as it started: a status request is answered with it
                // (stale) while the agent's first cycle runs, instead of waiting for that cycle.
                daemon.lastStatus = new Timed(agent.requests().latestStatus(daemon.tracker, daemon.trackerReason),
                        System.nanoTime());
                if (config.awaitTargetAtStart() && cutOver == null) {
                    connected.get(config.connectTimeoutMs() + 5_000L, TimeUnit.MILLISECONDS);
                } else {
                    connected.whenComplete((v, e) -> {
                        if (e != null) {
                            LOG.warn("{}; the source keeps trying with backoff (status says why it is not connected)",
                                    e.getMessage());
                        }
                    });
                }
                daemon.statusAsync();
                if (daemon.checkpointSchedule != null) {
                    daemon.checkpointSchedule.start();
                }
            } catch (ExecutionException | TimeoutException e) {
                daemon.close();
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new SourceStartException(cause instanceof TimeoutException
                        ? "no answer from target " + agentConfig.hostPort() + " within " + config.connectTimeoutMs() + " ms"
                        : cause.getMessage(), cause);
            }
            return daemon;
        } catch (NoSuchFileException e) {
            closeAll(volumes, stores, lock, tracking, crl);
            throw new SourceStartException("volume " + e.getFile() + " does not exist", e);
        } catch (IOException | ProtocolException | IllegalArgumentException | PkiException e) {
            closeAll(volumes, stores, lock, tracking, crl);
            throw new SourceStartException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceStartException("interrupted while starting", e);
        }
    }

    private static void checkNames(SourceConfig config) {
        Hello.checkSourceId(config.id());
        Set<String> names = new HashSet<>();
        for (SourceConfig.VolumeSpec spec : config.volumes()) {
            VolumeInfo.checkName(spec.name());
            if (!names.add(spec.name())) {
                throw new IllegalArgumentException("two volumes are named '" + spec.name() + "'; name them with PATH=NAME");
            }
        }
    }

    private static FileLock lockStateDir(Path stateDir) throws IOException {
        FileChannel ch = FileChannel.open(stateDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.tryLock();
        if (lock == null) {
            ch.close();
            throw new IOException("state directory " + stateDir + " is in use by another source daemon");
        }
        return lock;
    }

    private static void closeAll(List<SourceVolume> volumes, List<FingerprintStore> stores, FileLock lock,
                                 Tracking tracking, CrlReloader crl) {
        if (tracking != null) {
            closeQuietly(tracking);
        }
        if (crl != null) {
            crl.close();
        }
        for (AutoCloseable c : stores) {
            closeQuietly(c);
        }
        for (AutoCloseable c : volumes) {
            closeQuietly(c);
        }
        if (lock != null) {
            closeQuietly(lock.acquiredBy());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("while cleaning up after a failed start: {}", e.getMessage());
        }
    }

    public SourceConfig config() {
        return config;
    }

    /**
     * The revocation list the daemon follows (its bundle's {@code crl.pem}, re-read on change and
     * SIGHUP), for its admin endpoint to use too; empty for plain TCP.
     */
    public Optional<CrlReloader> crl() {
        return Optional.ofNullable(crl);
    }

    /** The status, within {@link #STATUS_FRESH_MS} ms whatever the agent is doing ({@link #statusAsync}). */
    public SourceStatus status() throws IOException {
        return await(statusAsync(), STATUS_FRESH_MS + 1_000);
    }

    /**
     * The status as the sync agent sees it now, or, when the agent does not answer within {@value
     * #STATUS_FRESH_MS} ms (it is stuck, say in a write), the last status it gave with {@code
     * staleMs} saying how old it is: the admin endpoint answers {@code status} whatever else runs.
     */
    public CompletableFuture<SourceStatus> statusAsync() {
        return agentStatus().thenApply(s -> s.withCheckpoint(checkpoints.last()));
    }

    private CompletableFuture<SourceStatus> agentStatus() {
        CompletableFuture<SourceStatus> fresh = agent.requests().status(tracker, trackerReason);
        fresh.thenAccept(s -> lastStatus = new Timed(s, System.nanoTime()));
        if (lastStatus == null) {
            return fresh;
        }
        return fresh.copy().completeOnTimeout(null, STATUS_FRESH_MS, TimeUnit.MILLISECONDS).thenApply(s -> {
            if (s != null) {
                return s;
            }
            Timed last = lastStatus;
            long staleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last.atNs());
            // No log line here: the agent may be stuck writing to the very file the log goes to.
            SourceStatus o = last.status();
            Throwable stopped = agent.stoppedBy();
            String lastError = stopped == null ? o.lastError() : "the sync agent stopped (" + stopped
                    + "): nothing is replicated until the daemon is restarted; these figures are its last";
            return o.stale(Math.max(1, staleMs), stopped == null && o.connected(), lastError);
        });
    }

    /** Waits until everything changed before the call is durable on the target (at most an hour). */
    public CompletableFuture<SyncResult> sync() {
        return sync(DEFAULT_REQUEST_TIMEOUT_MS);
    }

    /** Waits until everything changed before the call is durable on the target; fails after {@code timeoutMs}. */
    public CompletableFuture<SyncResult> sync(long timeoutMs) {
        return sync(timeoutMs, LOCAL_CALLER);
    }

    /**
     * As {@link #sync(long)}, asked by {@code askedBy}; fails at once with {@link OperationRefusedException}
     * while another cutover, verification or sync runs.
     */
    public CompletableFuture<SyncResult> sync(long timeoutMs, String askedBy) {
        return agent.requests().sync(timeoutMs, askedBy);
    }

    /** Compares both sides while replication runs (at most an hour). */
    public CompletableFuture<VerifyResult> verify() {
        return verify(DEFAULT_REQUEST_TIMEOUT_MS);
    }

    public CompletableFuture<VerifyResult> verify(long timeoutMs) {
        return verify(timeoutMs, LOCAL_CALLER);
    }

    /** As {@link #verify(long)}, asked by {@code askedBy}; refused at once while another operation runs. */
    public CompletableFuture<VerifyResult> verify(long timeoutMs, String askedBy) {
        return agent.requests().verify(timeoutMs, askedBy);
    }

    /**
     * The final sync of {@code freeze} (maybe none) within {@code timeoutMs}, sealed on the receiver
     * with a report of this one server. Cancelling the future withdraws it: it never starts, or fails
     * and thaws at once.
     */
    public CompletableFuture<CutoverResult> cutover(List<Path> freeze, long timeoutMs) {
        return cutover(freeze, timeoutMs, LOCAL_CALLER);
    }

    /** As {@link #cutover(List, long)}, asked by {@code askedBy}; refused at once while another operation runs. */
    public CompletableFuture<CutoverResult> cutover(List<Path> freeze, long timeoutMs, String askedBy) {
        return cutover(freeze, timeoutMs, askedBy, false);
    }

    /** As above; {@code fullVerify}: hash every chunk while frozen, not only those written since they were compared. */
    public CompletableFuture<CutoverResult> cutover(List<Path> freeze, long timeoutMs, String askedBy,
                                                    boolean fullVerify) {
        OneServerReport report = new OneServerReport(config.id(), askedBy);
        return agent.requests().cutover(freezeOrDefault(freeze), timeoutMs, askedBy, report::of, fullVerify);
    }

    /**
     * A wave's cutover of this server up to the verification, then held frozen until {@link #commit},
     * {@link #abort} or {@code timeoutMs} from now. Cancelling the future before it is answered
     * withdraws it (fails and thaws).
     */
    public CompletableFuture<PrepareAnswer> prepare(List<Path> freeze, long timeoutMs, String waveId, String askedBy) {
        return prepare(freeze, timeoutMs, waveId, askedBy, false);
    }

    /** As above; {@code fullVerify}: hash every chunk while frozen, not only those written since they were compared. */
    public CompletableFuture<PrepareAnswer> prepare(List<Path> freeze, long timeoutMs, String waveId, String askedBy,
                                                    boolean fullVerify) {
        return agent.requests().prepare(freezeOrDefault(freeze), timeoutMs, waveId, askedBy, fullVerify);
    }

    /** Seals the held cutover with {@code request}'s report, then thaws or keeps frozen. */
    public CompletableFuture<CommitResult> commit(CutoverReportRequest request) {
        return agent.requests().commit(request);
    }

    /** Ends the cutover running or held (of {@code request}'s wave; any when null) without a seal, and thaws. */
    public CompletableFuture<CommitResult> abort(CutoverReportRequest request, String reason) {
        return agent.requests().abort(request, reason);
    }

    /** Thaws the file systems a sealed cutover keeps frozen. */
    public CompletableFuture<CommitResult> thaw() {
        return agent.requests().thaw();
    }

    /** Forgets this source's cutover: it connects and replicates again (once the receiver lifts its seal). */
    public CompletableFuture<String> release() {
        return agent.requests().release();
    }

    /** The operation running now (a cutover, verification or sync), or null. */
    public RunningOperation running() {
        return agent.requests().running();
    }

    /**
     * A consistent checkpoint of every volume: the pre-freeze hook, a catch-up, {@code freeze} (the daemon's
     * {@code --freeze} mount points when empty) frozen only while what changed is read into memory, the
     * thaw, the post-thaw hook, the send and the receiver's answer. Labelled {@code label} (null: none).
     * Refused at once while another operation runs.
     */
    public CompletableFuture<CheckpointResult> checkpoint(List<Path> freeze, String label, String askedBy) {
        return checkpoint(freeze, label, CheckpointPlan.DEFAULT_MAX_FREEZE_MS, askedBy);
    }

    /** As above, the file systems frozen at most {@code maxFreezeMs} (the guard thaws then, failing the checkpoint). */
    public CompletableFuture<CheckpointResult> checkpoint(List<Path> freeze, String label, long maxFreezeMs,
                                                          String askedBy) {
        CheckpointPlan plan = new CheckpointPlan(freezeOrDefault(freeze), label, CheckpointPlan.DEFAULT_TIMEOUT_MS,
                maxFreezeMs, CheckpointPlan.DEFAULT_MAX_CAPTURE_BYTES,
                config.preFreeze() == null ? null : new Hook("pre-freeze", config.preFreeze()),
                config.postThaw() == null ? null : new Hook("post-thaw", config.postThaw()), checkpointIds);
        CompletableFuture<CheckpointResult> answer = agent.requests().checkpoint(plan, askedBy);
        answer.whenComplete((r, e) -> checkpoints.record(r != null ? r : CheckpointResult.refused(
                e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
        return answer;
    }

    private List<Path> freezeOrDefault(List<Path> freeze) {
        return freeze.isEmpty() ? config.freeze() : freeze;
    }

    /** Stops sending; changes are still tracked and pile up in the backlog. */
    public CompletableFuture<FlowStatus> pause() {
        return agent.flowRequests().pause();
    }

    /** Sends again what changed while paused. */
    public CompletableFuture<FlowStatus> resume() {
        return agent.flowRequests().resume();
    }

    /** Limits bytes on the wire to {@code bytesPerSecond} at once (0: no limit), until the next call or a restart. */
    public CompletableFuture<FlowStatus> throttle(long bytesPerSecond) {
        return agent.flowRequests().throttle(bytesPerSecond);
    }

    private static <T> T await(CompletableFuture<T> future, long timeoutMs) throws IOException {
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the sync agent did not answer within " + timeoutMs + " ms", e);
        }
    }

    @Override
    public void close() {
        metricsSampler.shutdownNow();
        if (checkpointSchedule != null) {
            checkpointSchedule.close();
        }
        try {
            agent.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (crl != null) {
                crl.close();
            }
            closeQuietly(tracking);
            closeQuietly(stateLock.acquiredBy());
        }
        LOG.info("source {} stopped; its state is saved in {}", config.id(), config.stateDir());
    }
}
