package io.replicator.source.sync;

import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.RescanStatus;
import io.replicator.source.SourceMetrics;
import io.replicator.source.cutover.FreezeRecord;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.track.Fingerprints;
import io.replicator.source.volume.SourceVolume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a source's replication: volumes, fingerprints, in-flight window,
 * sequence numbers and the admin's jobs. Everything else talks to it through {@link #submit} and
 * the link's events; nothing here is touched by another thread.
 *
 * <p>The scan tracker's invariant: a block's fingerprint is committed only for the bytes the target
 * acknowledged durable, and every pass rereads every block and sends it when its fingerprint
 * differs from what the target holds or has in flight. So a block written after it was read is
 * always sent again by the next pass, and a final pass after the freeze leaves nothing behind.
 *
 * <p>With a {@link ChangeFeed} (the kernel tracker) there are no routine passes: the feed marks
 * written blocks in each volume's dirty map and {@link DirtyWalk}s clear, read and send them. A
 * pass runs only for the initial copy (from each volume's cursor) and as a rescan from block 0
 * when the feed may have missed writes. After an unclean stop, a {@link ReconcileJob} first
 * compares every block with the target's hashes. See docs/design/003-kernel-tracker.md.
 */
public final class SyncAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncAgent.class);
    /** Bytes a scan pass reads at once, ahead of the agent, and how many such reads may be outstanding. */
    static final int READ_AHEAD_UNIT_BYTES = 4 << 20;
    static final int READ_AHEAD_DEPTH = 3;
    private static final long STATE_FLUSH_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    /** Acknowledged fingerprints reach the state file (unforced) at most this often. */
    private static final long ACK_WRITE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long IDLE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(100);

    final AgentConfig config;
    final List<VolumeState> volumes;
    final SourceMetrics metrics;
    private final LinkedBlockingQueue<AgentCommand> inbox = new LinkedBlockingQueue<>();
    private final ScatterRead scatterRead;
    private final WalkRanges walkRanges = new WalkRanges(SendPipeline.UNIT_BYTES / VolumeInfo.MIN_BLOCK_SIZE);
    private final Thread thread;
    private final List<Waiter> waiters = new ArrayList<>();
    private final AgentRequests requests = new AgentRequests(this);
    private final StatusBoard statusBoard = new StatusBoard();

    /** The target session: link, handshake, sequences, in flight, resend, acks. */
    final TargetSession session;
    /** The session's blocks in flight and to send again. */
    final InFlight inFlight;
    final ResendQueue resend;
    /** Read, consider, encode, send: the in-flight window. */
    private final SendPipeline pipeline;
    private long nextAckWriteNs = System.nanoTime();
    private long nextStateFlushNs;

    private Pass pass;
    private boolean passRequested = true;
    /** Under the kernel tracker: the feed, the current walk and the last catch-up. Null feed: scan tracker. */
    ChangeFeed feed;
    /** Why the kernel tracker was given up for rescans, or null. */
    String feedFailure;
    /** A catch-up was asked for at this time and the coverage has not reached it yet. */
    private boolean coverageWanted;
    private long coverageWantedNs;
    DirtyWalk walk;
    /** When the last finished walk started, and whether one finished. */
    private long lastWalkStartNs;
    private boolean walkFinished;
    private long nextWalkNs;
    private long caughtUpNs = Long.MIN_VALUE;
    private boolean caughtUpUnwalked;
    private boolean catchUpRunning;
    private boolean catchUpAgain;
    private int feedEpoch;
    /** Why the next or current pass rereads every block; null when no rescan is due. */
    String rescanReason;
    private String lastRescanReason;
    private boolean rescanRequested;
    private long nextPassNs;
    private boolean initialSyncLogged;
    private final long startedNs = System.nanoTime();
    /**
     * Every write that completed before this time has been read by a pass or walk since. Starts a
     * year in the past rather than at {@link Long#MIN_VALUE}, so that the wrap-safe comparison
     * {@code lastFinishedPassStartNs - sinceNs >= 0} does not overflow into "covered".
     */
    long lastFinishedPassStartNs = startedNs - TimeUnit.DAYS.toNanos(365);

    /** The admin's jobs and the comparison after an unclean stop. */
    final JobRunner jobs;
    boolean cutOver;
    private volatile boolean stopping;

    /**
     * @param feed            the kernel tracker's feed, or null for the scan tracker
     * @param reconcileReason non-null: compare every block with the target before anything else, and why
     * @param rescanReason    non-null: reread every block by fingerprint before trusting the dirty maps, and why
     */
    public SyncAgent(AgentConfig config, List<VolumeSetup> setups, int blockSizeBytes, SourceMetrics metrics,
                     ChangeFeed feed, String reconcileReason, String rescanReason) {
        this.config = config;
        this.metrics = metrics;
        this.feed = feed;
        List<VolumeState> vs = new ArrayList<>();
        for (int i = 0; i < setups.size(); i++) {
            vs.add(new VolumeState(i, setups.get(i), blockSizeBytes));
        }
        this.volumes = List.copyOf(vs);
        this.jobs = new JobRunner(new Port());
        long durableSequence = 0;
        for (VolumeState v : volumes) {
            durableSequence = Math.max(durableSequence, v.fingerprints.lastAckSequence());
        }
        if (reconcileReason != null) {
            jobs.reconcile(reconcileReason);
        } else if (rescanReason != null) {
            this.rescanReason = rescanReason;
            this.rescanRequested = true;
        }
        this.session = new TargetSession(config, infos(), durableSequence,
                new TargetLink(config.connectTimeoutMs(), config.target(), config.tls(), inbox::add),
                new ReconnectBackoff(config.reconnectMinMs(), config.reconnectMaxMs(),
                        ReconnectBackoff.STABLE_SESSION_MS, new SplittableRandom()), new SessionEvents());
        this.inFlight = session.inFlight();
        this.resend = session.resend();
        this.pipeline = new SendPipeline(volumes, session, metrics, config.maxInFlightBytes());
        this.thread = new Thread(this::run, "sync-agent-" + config.sourceId());
        this.scatterRead = new ScatterRead(config.sourceId());
    }

    /** Starts the thread; the future completes on the first successful handshake or fails with the first refusal. */
    public CompletableFuture<Void> start() {
        thread.start();
        return session.firstHandshake();
    }

    /** The admin's requests: sync, verify, cutover, status. */
    public AgentRequests requests() {
        return requests;
    }

    StatusBoard statusBoard() {
        return statusBoard;
    }

    /** Hands {@code command} to the agent's thread. Thread-safe. */
    void submit(AgentCommand command) {
        inbox.add(command);
    }

    private void run() {
        Throwable failure = null;
        try {
            while (!stopping) {
                AgentCommand event = hasWork() ? inbox.poll() : inbox.poll(IDLE_WAIT_NS, TimeUnit.NANOSECONDS);
                while (event != null) {
                    handle(event);
                    event = inbox.poll();
                }
                tick();
                work();
                long now = System.nanoTime();
                if (statusBoard.due(now)) {
                    statusBoard.publish(StatusSnapshot.take(this), now);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            LOG.error("sync agent stopped by an unexpected error; the daemon must be restarted", t);
        } finally {
            shutdown(failure);
        }
    }

    private void handle(AgentCommand event) throws IOException {
        if (event instanceof AgentCommand.StartSync c) {
            requests.start(c);
        } else if (event instanceof AgentCommand.AnswerSync c) {
            requests.answer(c);
        } else if (event instanceof AgentCommand.StartVerify c) {
            requests.start(c);
        } else if (event instanceof AgentCommand.StartCutover c) {
            requests.start(c);
        } else if (event instanceof AgentCommand.Withdraw c) {
            c.job().withdraw(c.why());
        } else if (event instanceof AgentCommand.EventsLost c) {
            eventsLostNow(c.reason());
        } else if (event instanceof AgentCommand.CaughtUp c) {
            caughtUp(c.requestNs(), c.epoch(), c.error());
        } else if (event instanceof LinkEvent e) {
            session.onLinkEvent(e);
        }
    }

    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    String hostPort() {
        return config.hostPort();
    }

    private void tick() throws IOException {
        long now = System.nanoTime();
        if (!stopping) {
            session.connectIfDue(now);
        }
        if (pass == null && (session.connected() || cutOver) && !jobs.reconciling() && jobs.allowsPasses()) {
            if (feed == null && (passRequested || rescanRequested || now - nextPassNs >= 0)) {
                pass = new Pass(now, cutOver, false, rescanRequested ? rescanReason : null);
                passRequested = false;
                rescanRequested = false;
            } else if (feed != null && !cutOver && (rescanRequested || initialCopyPending())) {
                pass = new Pass(now, false, !rescanRequested, rescanRequested ? rescanReason : null);
                rescanRequested = false;
            }
            if (pass != null && pass.rescanReason != null) {
                LOG.warn("rescanning every block by fingerprint: {}", pass.rescanReason);
            }
        }
        if (feed != null && coverageWanted) {
            if (lastFinishedPassStartNs - coverageWantedNs >= 0) {
                coverageWanted = false;
            } else if (!catchUpRunning && !caughtUpUnwalked && walk == null && pass == null && !rescanRequested
                    && rescanReason == null && !jobs.reconciling()) {
                // a loss or rescan voided the last catch-up: ask again
                requestCatchUp();
            }
        }
        session.drainRate().tick(now, !inFlight.isEmpty());
        completeWaiters();
        jobs.tick(now);
        if (!initialSyncLogged && volumes.stream().allMatch(v -> v.syncedBytes() == v.info.sizeBytes())) {
            initialSyncLogged = true;
            long ms = TimeUnit.NANOSECONDS.toMillis(now - startedNs);
            for (VolumeState v : volumes) {
                LOG.info("initial sync of {} done: {} bytes durable on the target, {} payload bytes sent, {} ms since start; "
                        + "replicating changes", v.info.name(), v.info.sizeBytes(), v.sentPayloadBytes, ms);
            }
        }
        if (now - nextStateFlushNs >= 0 && !holdingStateWrites()) {
            flushState();
            nextStateFlushNs = now + STATE_FLUSH_INTERVAL_NS;
        }
    }

    /**
     * Answers the waiters whose changes are all durable on the target. Called on every tick and as
     * soon as a pass or walk finishes, so that a sync with nothing left to send does not wait for
     * the loop's next idle timeout.
     */
    private void completeWaiters() {
        if (waiters.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        boolean drained = isDrained();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.done().isDone()) {
                it.remove();
            } else if (drained && lastFinishedPassStartNs - w.sinceNs() >= 0) {
                w.done().complete(session.durableSequence());
                it.remove();
            } else if (now - w.deadlineNs() >= 0) {
                w.done().completeExceptionally(new IOException("not in sync after "
                        + TimeUnit.NANOSECONDS.toMillis(now - w.sinceNs()) + " ms: " + backlogBytes()
                        + " bytes not yet durable on the target " + hostPort()
                        + (session.lastError() == null ? "" : " (" + session.lastError() + ")")));
                it.remove();
            }
        }
    }

    /**
     * Whether a refusal is one that sending again cannot cure (a full or failing disk, a volume the
     * target cannot open, a certificate or version it refuses): a sync waiting for durability then
     * answers at once with the reason rather than at its deadline. A corrupted frame, a sequence
     * gap, a session the target still holds or a timeout are cured by the reconnect and resend.
     */
    static boolean needsTheAdmin(ErrorCode code) {
        return switch (code) {
            case IO_ERROR, VOLUME_UNAVAILABLE, UNKNOWN_VOLUME, OUT_OF_RANGE, NOT_AUTHORIZED, REVOKED,
                 UNSUPPORTED_VERSION -> true;
            default -> false;
        };
    }

    /** Fails every sync waiting: the target refused what it was sent, so waiting longer would hide why. */
    private void failWaiters(IOException why) {
        for (Waiter w : waiters) {
            w.done().completeExceptionally(why);
        }
        waiters.clear();
    }

    /** What is known changed and not yet durable on the target, over all volumes. */
    long backlogBytes() {
        long sum = 0;
        for (VolumeState v : volumes) {
            sum += v.backlogBytes(inFlight.changedBytes(v.index), resend.changedBytes(v.index));
        }
        return sum;
    }

    /** While a freeze may be in force the agent writes nothing: its state directory may lie on a frozen file system. */
    private boolean holdingStateWrites() {
        return jobs.holdsStateWrites();
    }

    /** Nothing is in flight or waiting to be resent, and no pass is running. */
    boolean isDrained() {
        return session.connected() && inFlight.isEmpty() && resend.isEmpty() && pass == null && !jobs.reconciling()
                && !rescanRequested;
    }

    private boolean hasWork() {
        return (pass != null && pass.observeOnly) || pipeline.canSend() && (!resend.isEmpty() || pass != null
                || jobs.wantsStep()
                || walkReady());
    }

    private void work() throws IOException {
        for (int i = 0; i < 16; i++) {
            if (pass != null && pass.observeOnly) {
                stepPass();
            } else if (!pipeline.canSend()) {
                break;
            } else if (!resend.isEmpty()) {
                pipeline.resendOne();
            } else if (jobs.step()) {
                continue;
            } else if (jobs.reconciling()) {
                break;
            } else if (walkReady()) {
                stepWalk();
            } else if (pass != null) {
                stepPass();
            } else {
                break;
            }
        }
        session.flush();
    }

    private void stepPass() throws IOException {
        VolumeState v = volumes.get(pass.volume);
        if (pass.fromCursor && pass.readAhead == null && pass.block < v.cursorBlock) {
            pass.block = v.cursorBlock;
        }
        if (pass.block >= v.blockCount()) {
            closeReadAhead();
            pass.volume++;
            pass.block = 0;
            if (pass.volume >= volumes.size()) {
                finishPass();
            }
            return;
        }
        int bs = v.blockSize();
        if (pass.readAhead == null) {
            pass.readAhead = new ReadAhead(v.volume, pass.block * bs, Math.max(bs, READ_AHEAD_UNIT_BYTES),
                    READ_AHEAD_DEPTH);
        }
        ReadAhead.Unit unit = pass.readAhead.next();
        try {
            ByteBuffer data = unit.data();
            metrics.read(data.remaining());
            int blocks = (data.remaining() + bs - 1) / bs;
            for (int i = 0; i < blocks; i++) {
                if (pipeline.consider(v, pass.block + i, data, i * bs, Math.min(bs, data.limit() - i * bs), pass.observeOnly,
                        false)) {
                    pass.changedBlocks++;
                }
            }
            pipeline.sendRun();
            pass.block += blocks;
            if (!pass.observeOnly && pass.block > v.cursorBlock) {
                v.cursorBlock = Math.min(pass.block, v.blockCount());
            }
        } finally {
            pass.readAhead.release(unit);
        }
    }

    private void closeReadAhead() {
        if (pass != null && pass.readAhead != null) {
            pass.readAhead.close();
            pass.readAhead = null;
        }
    }

    private void finishPass() {
        if (!pass.fromCursor) {
            lastFinishedPassStartNs = pass.startedNs;
        }
        if (pass.rescanReason != null) {
            LOG.info("rescan done ({}): {} blocks differed from the target", pass.rescanReason, pass.changedBlocks);
            if (!rescanRequested) {
                lastRescanReason = rescanReason;
                rescanReason = null;
            }
        }
        if (pass.observeOnly) {
            for (VolumeState v : volumes) {
                long before = v.unreplicatedBlocks;
                v.unreplicatedBlocks = v.observedChangedBlocks;
                v.observedChangedBlocks = 0;
                if (v.unreplicatedBlocks > before) {
                    LOG.warn("volume {}: {} blocks were written after the cutover and are NOT replicated",
                            v.info.name(), v.unreplicatedBlocks);
                }
            }
        }
        metrics.passFinished(pass.changedBlocks);
        LOG.debug("pass finished: {} blocks changed", pass.changedBlocks);
        pass = null;
        nextPassNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.scanIntervalMs());
        completeWaiters();
    }

    long sentPayloadBytes() {
        return pipeline.sentPayloadBytes();
    }

    /** Asks for a fresh look at every volume: a pass (scan tracker) or a catch-up and walk (kernel tracker). */
    void requestPass() {
        if (feed == null) {
            passRequested = true;
        } else {
            coverageWanted = true;
            coverageWantedNs = System.nanoTime();
            requestCatchUp();
        }
    }

    void addWaiter(Waiter waiter) {
        waiters.add(waiter);
        requestPass();
    }

    /** The feed may have missed writes: reread every block by fingerprint (not a resend) and say why. */
    void rescan(String reason) {
        feedEpoch++;
        caughtUpUnwalked = false;
        rescanReason = reason;
        rescanRequested = true;
        if (pass != null && !pass.observeOnly) {
            closeReadAhead();
            pass = null;
        }
    }

    /** Called by the feed's owner when events were lost; thread-safe. */
    public void eventsLost(String reason) {
        submit(new AgentCommand.EventsLost(reason));
    }

    private void eventsLostNow(String reason) {
        if (cutOver) {
            LOG.warn("{}; the cutover is done, nothing is replicated any more", reason);
            return;
        }
        LOG.warn("{}: some writes may not be marked dirty; rescanning every block by fingerprint", reason);
        metrics.eventLoss();
        rescan(reason);
    }

    private void requestCatchUp() {
        if (catchUpRunning) {
            catchUpAgain = true;
            return;
        }
        catchUpRunning = true;
        long requestNs = System.nanoTime();
        int epoch = feedEpoch;
        feed.catchUp().whenComplete((ignored, error) -> submit(new AgentCommand.CaughtUp(requestNs, epoch, error)));
    }

    private void caughtUp(long requestNs, int epoch, Throwable error) {
        catchUpRunning = false;
        if (error != null) {
            feedFailure = "the kernel tracker failed (" + describe(error) + "); every block is reread every "
                    + config.scanIntervalMs() + " ms and compared with its fingerprint";
            LOG.error("{}", feedFailure);
            feed = null;
            walk = null;
            if (!cutOver) {
                rescan("the kernel tracker failed: " + describe(error));
            }
        } else if (epoch == feedEpoch) {
            caughtUpNs = requestNs;
            caughtUpUnwalked = true;
        }
        if (catchUpAgain) {
            catchUpAgain = false;
            requestCatchUp();
        }
    }

    private boolean initialCopyPending() {
        for (VolumeState v : volumes) {
            if (v.cursorBlock < v.blockCount()) {
                return true;
            }
        }
        return false;
    }

    private boolean walkReady() {
        if (feed == null || cutOver || jobs.reconciling()) {
            return false;
        }
        if (walk != null) {
            return true;
        }
        if (System.nanoTime() - nextWalkNs < 0) {
            return false;
        }
        if (caughtUpUnwalked) {
            return true;
        }
        for (VolumeState v : volumes) {
            if (v.dirty.count() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends the next dirty blocks of one volume, up to one read unit of them, clearing their bits
     * before reading them ({@link WalkRanges}); the ranges are read side by side
     * ({@link ScatterRead}) and only the dirty blocks are considered. While a pass runs, only
     * blocks it has already passed are walked: it reads the others.
     */
    private void stepWalk() throws IOException {
        if (walk == null) {
            walk = new DirtyWalk(caughtUpUnwalked ? caughtUpNs : Long.MIN_VALUE);
            caughtUpUnwalked = false;
        }
        VolumeState v = volumes.get(walk.volume);
        long limit = v.blockCount();
        if (pass != null) {
            limit = walk.volume < pass.volume ? limit : walk.volume == pass.volume ? Math.min(limit, pass.block) : 0;
        }
        long stepNs = System.nanoTime();
        walk.startStep(pass != null, stepNs);
        int bs = v.blockSize();
        WalkRanges w = walkRanges;
        if (w.take(v.dirty, bs, walk.block, limit, Math.max(1, SendPipeline.UNIT_BYTES / bs)) == 0) {
            walk.regionsWalked(v.dirty, limit, stepNs);
            walk.nextVolume();
            if (walk.volume >= volumes.size()) {
                finishWalk();
            }
            return;
        }
        // Other reads (a resent block, say) leave the unit limited to what they read.
        ByteBuffer unit = pipeline.unit();
        unit.clear();
        scatterRead.readAll(v.volume, w.offsets, w.lengths, w.positions, w.ranges, unit);
        for (int r = 0; r < w.ranges; r++) {
            metrics.read(w.lengths[r]);
        }
        for (int k = 0; k < w.taken; k++) {
            int r = w.rangeOf[k];
            int within = (int) (w.blocks[k] * bs - w.offsets[r]);
            int length = Math.min(bs, w.lengths[r] - within);
            if (length > 0 && pipeline.consider(v, w.blocks[k], unit, w.positions[r] + within, length, false, false)) {
                walk.sentBlocks++;
            }
        }
        pipeline.sendRun();
        walk.regionsWalked(v.dirty, w.next, stepNs);
        walk.block = w.next;
    }

    private void finishWalk() {
        if (walk.coversNs != Long.MIN_VALUE && rescanReason == null && !rescanRequested) {
            lastFinishedPassStartNs = Math.max(lastFinishedPassStartNs, walk.coversNs);
        }
        nextWalkNs = pass != null ? System.nanoTime() + IDLE_WAIT_NS : System.nanoTime();
        lastWalkStartNs = walk.startedNs;
        walkFinished = true;
        walk = null;
        completeWaiters();
    }

    List<VolumeInfo> infos() {
        return volumes.stream().map(v -> v.info).toList();
    }

    /** The rescan or comparison with the target in progress, else the last one, else null. */
    RescanStatus rescanStatus() {
        long total = 0;
        for (VolumeState v : volumes) {
            total += v.info.sizeBytes();
        }
        RescanStatus reconciling = jobs.reconcileStatus(total);
        if (reconciling != null) {
            return reconciling;
        }
        if (rescanReason == null) {
            return lastRescanReason == null ? null : new RescanStatus(lastRescanReason, false, total, total);
        }
        long done = 0;
        if (pass != null && pass.rescanReason != null) {
            for (int i = 0; i < pass.volume && i < volumes.size(); i++) {
                done += volumes.get(i).info.sizeBytes();
            }
            if (pass.volume < volumes.size()) {
                VolumeState v = volumes.get(pass.volume);
                done += Math.min(v.info.sizeBytes(), pass.block * v.blockSize());
            }
        }
        return new RescanStatus(rescanReason, true, done, total);
    }

    /**
     * How long the oldest change not yet durable on the target may have waited: the oldest block
     * in flight or waiting to be resent since its change was first read (resends go before
     * anything else, in that order, so the oldest in flight is the first), and for the dirty
     * blocks a bound from the walks. A block still dirty was marked after its region's time in the
     * dirty map (which the walk moves forward as it takes each region whole), after the last
     * finished walk started (that walk cleared every block marked before it reached it), or after
     * the current walk started when no dirty block is left ahead of its position; without a pass,
     * which leaves the blocks ahead of it to itself, the latest of these bounds its age.
     */
    long lagMs() {
        long now = System.nanoTime();
        InFlight.Entry oldest = inFlight.oldest();
        long lagNs = oldest == null ? 0 : now - oldest.readNs();
        InFlight.Entry waiting = resend.oldest();
        if (waiting != null) {
            lagNs = Math.max(lagNs, now - waiting.readNs());
        }
        long walkBoundNs = lastWalkStartNs;
        if (walk != null && !walk.dirtyAhead(volumes)) {
            walkBoundNs = walk.startedNs;
        }
        for (VolumeState v : volumes) {
            if (v.dirty != null && v.dirty.count() > 0) {
                long sinceNs = v.dirty.oldestMarkNs();
                if (pass == null && walkFinished && walkBoundNs - sinceNs > 0) {
                    sinceNs = walkBoundNs;
                }
                lagNs = Math.max(lagNs, now - sinceNs);
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(lagNs);
    }

    /**
     * Writes the acknowledged fingerprints to the state files without forcing them: they only
     * need to be on stable storage at a clean stop (a crash or power loss makes the next start
     * compare every block with the target), and an fsync here would stall the agent.
     */
    private void flushState() throws IOException {
        for (VolumeState v : volumes) {
            v.fingerprints.lastAckSequence(session.durableSequence());
            v.fingerprints.write();
        }
    }

    private void shutdown(Throwable failure) {
        IOException cause = new IOException(failure == null ? "source daemon stopped"
                : "sync agent failed: " + describe(failure));
        for (Waiter w : waiters) {
            w.done().completeExceptionally(cause);
        }
        waiters.clear();
        List<String> frozenLeft = jobs.stop();
        session.stop(cause);
        AgentCommand event;
        while ((event = inbox.poll()) != null) {
            if (event instanceof LinkEvent.Received r) {
                io.netty.util.ReferenceCountUtil.release(r.frame());
            }
        }
        closeReadAhead();
        scatterRead.close();
        session.close();
        if (!frozenLeft.isEmpty()) {
            LOG.error("state not saved: {} may still be frozen and the state directory may lie on it; the next "
                    + "start thaws them and compares every block with the target", frozenLeft);
            return;
        }
        // The fingerprints reach stable storage before a state file says "clean stop" trusts them.
        boolean fingerprintsSaved = true;
        for (VolumeState v : volumes) {
            try {
                v.fingerprints.lastAckSequence(session.durableSequence());
                v.fingerprints.flush();
            } catch (IOException e) {
                fingerprintsSaved = false;
                LOG.error("could not save the fingerprints of volume {}: {}; the next start compares every block",
                        v.info.name(), e.getMessage());
            }
        }
        new StateSaver(this).save(failure == null && fingerprintsSaved);
        for (VolumeState v : volumes) {
            try {
                v.close();
            } catch (IOException e) {
                LOG.error("could not save the state of volume {}: {}; the next start compares every block",
                        v.info.name(), e.getMessage());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        inbox.add(new AgentCommand.Wake());
        thread.join();
    }

    /** What the jobs see of the agent. Agent's thread only. */
    private final class Port implements JobPort {
        private final List<VolumeInfo> infos = infos();

        @Override
        public List<VolumeInfo> volumes() {
            return infos;
        }

        @Override
        public boolean connected() {
            return session.connected();
        }

        @Override
        public String hostPort() {
            return SyncAgent.this.hostPort();
        }

        @Override
        public String lastError() {
            return session.lastError();
        }

        @Override
        public boolean reconciling() {
            return jobs.reconciling();
        }

        @Override
        public long backlogBytes() {
            return SyncAgent.this.backlogBytes();
        }

        @Override
        public double drainBytesPerSecond() {
            return session.drainRate().bytesPerSecond();
        }

        @Override
        public int inFlightBlocks() {
            return inFlight.size();
        }

        @Override
        public long inFlightBytes() {
            return inFlight.bytes();
        }

        @Override
        public int resendBlocks() {
            return resend.size();
        }

        @Override
        public long sentPayloadBytes() {
            return pipeline.sentPayloadBytes();
        }

        @Override
        public long lastSequenceSent() {
            return session.lastSequenceSent();
        }

        @Override
        public FreezeRecord freezeRecord() {
            return config.freezeRecord();
        }

        @Override
        public void readChunks(int volume, long firstBlock, int count, ChunkVisitor visitor) throws IOException {
            pipeline.readChunks(volume, firstBlock, count, visitor);
        }

        @Override
        public void askHashes(HashRequest request) {
            session.writeAndFlush(request);
        }

        @Override
        public boolean settledOnTarget(int volume, long block, ByteBuffer chunk) throws IOException {
            long committed = volumes.get(volume).fingerprints.get(block);
            return committed != FingerprintStore.UNKNOWN && committed == Fingerprints.of(chunk)
                    && inFlight.latest(volume, block) == null && !resend.contains(volume, block);
        }

        @Override
        public void targetHolds(int volume, long block, long fingerprint) throws IOException {
            volumes.get(volume).fingerprints.set(block, fingerprint);
        }

        @Override
        public void targetDiffers(int volume, long block) throws IOException {
            VolumeState v = volumes.get(volume);
            v.fingerprints.set(block, FingerprintStore.UNKNOWN);
            if (v.dirty != null) {
                v.dirty.mark(block);
            }
        }

        @Override
        public void initialCopyDone() {
            for (VolumeState v : volumes) {
                v.cursorBlock = v.blockCount();
            }
        }

        @Override
        public void compare(VerifyJob verify) {
            jobs.compare(verify);
        }

        @Override
        public void sendBarrier(long barrierId) {
            session.writeAndFlush(new Barrier(barrierId, session.lastSequenceSent()));
        }

        @Override
        public void requestPass() {
            SyncAgent.this.requestPass();
        }

        @Override
        public boolean drainedSince(long sinceNs) {
            return isDrained() && lastFinishedPassStartNs - sinceNs >= 0;
        }

        @Override
        public void cutOver() {
            cutOver = true;
        }
    }

    /** What the session's acknowledgements and answers mean for the volumes and the jobs. Agent's thread only. */
    private final class SessionEvents implements TargetSession.Listener {
        @Override
        public void durable(InFlight.Entry e) throws IOException {
            volumes.get(e.volume()).fingerprints.set(e.block(), e.fingerprint());
        }

        /**
         * The committed fingerprints reach the state files at most every second (forced every few
         * seconds). A source killed with SIGKILL does not trust them anyway: its next start compares
         * every block with the target's hashes (ReconcileJob), so writing scattered pages on every
         * acknowledgement would cost disk writes and buy nothing.
         */
        @Override
        public void acknowledged(long durableSequence, boolean committed) throws IOException {
            long now = System.nanoTime();
            if (committed && now - nextAckWriteNs >= 0 && !holdingStateWrites()) {
                for (VolumeState v : volumes) {
                    v.fingerprints.lastAckSequence(durableSequence);
                    v.fingerprints.write();
                }
                nextAckWriteNs = now + ACK_WRITE_INTERVAL_NS;
            }
            metrics.acknowledged(durableSequence);
        }

        @Override
        public void targetLostData() throws IOException {
            for (VolumeState v : volumes) {
                v.fingerprints.clear();
            }
            rescan("the target lost data it had acknowledged");
        }

        @Override
        public void received(Frame frame) throws IOException {
            if (frame instanceof BarrierAck ack) {
                jobs.onBarrierAck(ack);
            } else if (frame instanceof HashResponse response) {
                String reconciled = jobs.onHashes(response);
                if (reconciled != null) {
                    lastRescanReason = reconciled;
                    passRequested = true;
                }
            }
        }

        @Override
        public void refused(ErrorCode code, String why) {
            if (needsTheAdmin(code)) {
                failWaiters(new IOException("not in sync: " + why));
            }
        }

        @Override
        public void connectionLost() {
            jobs.connectionLost();
        }
    }
}
