package io.replicator.source.sync;

import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.text.Causes;
import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.RescanStatus;
import io.replicator.source.SourceMetrics;
import io.replicator.source.cutover.CutoverRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a source's replication. It runs a duty cycle over a few owners, each
 * holding its own state: the {@link TargetSession} (link, handshake, sequences, in flight, resend,
 * acks), the {@link ChangeSources} (passes, kernel catch-ups and walks), the {@link SendPipeline}
 * (read, encode, the in-flight window) and the {@link JobRunner} (cutover, verify, the comparison
 * after an unclean stop, which see the agent only through a {@link JobPort}). Other threads hand it
 * typed {@link AgentCommand}s through its inbox and read the status it publishes on a
 * {@link StatusBoard} at the end of a cycle; nothing here is touched by another thread. See
 * docs/design/005-source-agent.md.
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
    private static final long STATE_FLUSH_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long IDLE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Steps taken at most in one cycle before the inbox is read again. */
    private static final int STEPS_PER_CYCLE = 16;

    final AgentConfig config;
    final List<VolumeState> volumes;
    final SourceMetrics metrics;
    private final LinkedBlockingQueue<AgentCommand> inbox = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AgentRequests requests = new AgentRequests(this);
    private final FlowRequests flowRequests = new FlowRequests(this);
    /** Pause, the bandwidth limit and adaptive pacing. */
    final FlowControl flow;
    /** What adaptive pacing reads of the agent: the lag, the backlog, the bytes sent. */
    private final PacingInputs pacingInputs = PacingInputs.of(this);
    private final StatusBoard statusBoard = new StatusBoard();
    final SyncWaiters waiters = new SyncWaiters();
    /** The admin's jobs and the comparison after an unclean stop. */
    final JobRunner jobs;
    /** The target session: link, handshake, sequences, in flight, resend, acks. */
    final TargetSession session;
    /** Read, consider, encode, send: the in-flight window. */
    final SendPipeline pipeline;
    /** Passes, kernel catch-ups and walks, and what they have covered. */
    final ChangeSources changes;
    private long nextStateFlushNs;
    private boolean initialSyncLogged;
    private final long startedNs = System.nanoTime();
    boolean cutOver;
    /** What the cutover record says (the one found at start, or made or learned since), or null. */
    CutoverRecord cutOverRecord;
    /** The record is still to be written to the state directory (once no freeze may be in force). */
    private boolean recordToWrite;
    private volatile boolean stopping;
    /** What stopped the agent's thread by surprise, or null. */
    private volatile Throwable stoppedBy;

    /**
     * @param feed            the kernel tracker's feed, or null for the scan tracker
     * @param reconcileReason non-null: compare every block with the target before anything else, and why
     * @param rescanReason    non-null: reread every block by fingerprint before trusting the dirty maps, and why
     */
    public SyncAgent(AgentConfig config, List<VolumeSetup> setups, int blockSizeBytes, SourceMetrics metrics,
                     ChangeFeed feed, String reconcileReason, String rescanReason) {
        this(config, setups, blockSizeBytes, metrics, feed, reconcileReason, rescanReason,
                events -> new TargetLink(config.connectTimeoutMs(), config.target(), config.tls(), events,
                        config.heartbeatIntervalMs(), config.idleTimeoutMs()));
    }

    /** As above, reaching the target through the connector that {@code links} makes for the agent's inbox. */
    SyncAgent(AgentConfig config, List<VolumeSetup> setups, int blockSizeBytes, SourceMetrics metrics,
              ChangeFeed feed, String reconcileReason, String rescanReason,
              Function<Consumer<LinkEvent>, TargetSession.Connector> links) {
        this.config = config;
        this.metrics = metrics;
        List<VolumeState> vs = new ArrayList<>();
        for (int i = 0; i < setups.size(); i++) {
            vs.add(new VolumeState(i, setups.get(i), blockSizeBytes));
        }
        this.volumes = List.copyOf(vs);
        this.jobs = new JobRunner(new AgentPort(this));
        long durableSequence = 0;
        for (VolumeState v : volumes) {
            durableSequence = Math.max(durableSequence, v.fingerprints.lastAckSequence());
        }
        this.cutOverRecord = config.cutOverAtStart();
        this.cutOver = cutOverRecord != null;
        if (cutOver) {
            LOG.warn("source {} was cut over ({}): it does not connect to {} or replicate; writes are counted, not sent. "
                    + "POST /release (replicator release --admin SOURCE) replicates again once the receiver's seal is "
                    + "lifted", config.sourceId(), cutOverWords(), config.hostPort());
            reconcileReason = null;
            rescanReason = null;
        } else if (reconcileReason != null) {
            jobs.reconcile(reconcileReason);
        }
        this.session = new TargetSession(config, infos(), durableSequence,
                links.apply(inbox::add),
                new ReconnectBackoff(config.reconnectMinMs(), config.reconnectMaxMs(),
                        ReconnectBackoff.STABLE_SESSION_MS, new SplittableRandom()), new SessionEvents(this));
        this.flow = new FlowControl(config.maxRate(), config.pacing(), CpuMeter.process(), Clock.systemDefaultZone(),
                System.nanoTime());
        this.pipeline = new SendPipeline(volumes, session, metrics, config.maxInFlightBytes(), flow);
        this.changes = new ChangeSources(volumes, pipeline, metrics, config, feed,
                reconcileReason == null ? rescanReason : null, inbox::add, this::covered,
                () -> cutOver || jobs.reconciling());
        this.thread = new Thread(this::run, "sync-agent-" + config.sourceId());
        session.closedForGood(cutOver);
    }

    /** Starts the thread; the future completes on the first successful handshake or fails with the first refusal. */
    public CompletableFuture<Void> start() {
        // The first status, taken before the thread runs (which makes this thread its owner until
        // then): a status request has it to answer with while a first cycle is long (a scan pass
        // on a loaded machine).
        statusBoard.publish(StatusSnapshot.take(this));
        thread.start();
        return session.firstHandshake();
    }

    /** The admin's requests: sync, verify, cutover, status. */
    public AgentRequests requests() {
        return requests;
    }

    /** The admin's pause, resume and live bandwidth limit. */
    public FlowRequests flowRequests() {
        return flowRequests;
    }

    StatusBoard statusBoard() {
        return statusBoard;
    }

    /** Hands {@code command} to the agent's thread. Thread-safe. */
    void submit(AgentCommand command) {
        inbox.add(command);
    }

    /** Called by the feed's owner when events were lost; thread-safe. */
    public void eventsLost(String reason) {
        submit(new AgentCommand.EventsLost(reason));
    }

    /** The duty cycle: commands, then each owner's turn, then the status; until stopped. */
    private void run() {
        Throwable failure = null;
        try {
            while (!stopping) {
                AgentCommand event = hasWork() ? inbox.poll() : inbox.poll(idleWaitNs(), TimeUnit.NANOSECONDS);
                while (event != null) {
                    handle(event);
                    event = inbox.poll();
                }
                tick();
                work();
                if (statusBoard.due()) {
                    statusBoard.publish(StatusSnapshot.take(this));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            stoppedBy = t;
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
            changes.eventsLost(c.reason(), cutOver);
        } else if (event instanceof AgentCommand.CaughtUp c) {
            changes.caughtUp(c, cutOver);
        } else if (event instanceof AgentCommand.CommitCutover c) {
            jobs.commit(c);
        } else if (event instanceof AgentCommand.AbortCutover c) {
            jobs.abort(c);
        } else if (event instanceof AgentCommand.Thaw c) {
            jobs.thaw(c);
        } else if (event instanceof AgentCommand.Release c) {
            release(c);
        } else if (event instanceof LinkEvent e) {
            session.onLinkEvent(e);
        } else if (event instanceof AgentCommand.SetFlow c) {
            setFlow(c);
        } else if (event instanceof AgentCommand.StartCheckpoint c) {
            requests.start(c);
        }
    }

    /** The cutover is sealed ({@code record}) or learned from the receiver: replication ends here. */
    void cutOver(CutoverRecord record) {
        cutOver = true;
        cutOverRecord = record;
        recordToWrite = config.stateDir() != null;
        session.closedForGood(true);
        waiters.failAll(new IOException(cutOverWords() + ": replication has ended for this source"));
    }

    /** The receiver refused this source with CUT_OVER: it was cut over (its record may be lost); stop for good. */
    void learnCutOver(String why) {
        if (cutOver) {
            return;
        }
        LOG.error("the receiver {} says this source was cut over: {}. Replication has ended; nothing more is sent. "
                + "POST /release (replicator release --admin SOURCE) once the receiver's seal is lifted", hostPort(), why);
        cutOver(new CutoverRecord(null, null, Instant.now().toString(), CutoverRecord.REFUSED, why));
    }

    /** The cutover in words: when, which report, how it is known. */
    String cutOverWords() {
        CutoverRecord r = cutOverRecord;
        if (r == null) {
            return "the source was cut over";
        }
        return "the source was cut over at " + r.cutOverUtc() + (r.reportId() == null ? "" : " (report "
                + r.reportId() + ")") + (CutoverRecord.REFUSED.equals(r.how()) ? ", as the receiver said" : "");
    }

    /** Bytes seen written on the source since the cutover, over all volumes (0 while it replicates). */
    long writtenSinceBytes() {
        long sum = 0;
        for (VolumeState v : volumes) {
            sum += writtenSinceBytes(v);
        }
        return sum;
    }

    long writtenSinceBytes(VolumeState v) {
        if (!cutOver) {
            return 0;
        }
        long blocks = v.dirty != null ? v.dirty.count() : v.unreplicatedBlocks;
        return Math.min(v.info.sizeBytes(), blocks * v.blockSize());
    }

    /** Forgets the cutover: the record goes, the source connects and sends what changed. */
    private void release(AgentCommand.Release c) {
        if (!cutOver) {
            c.result().complete("this source was not cut over: nothing to release");
            return;
        }
        if (jobs.keepsFrozen()) {
            c.result().completeExceptionally(new IllegalStateException(
                    "the file systems are kept frozen after the cutover: thaw them first (replicator thaw)"));
            return;
        }
        String was = cutOverWords();
        try {
            if (config.stateDir() != null) {
                CutoverRecord.delete(config.stateDir());
            }
        } catch (IOException e) {
            c.result().completeExceptionally(new IOException("cannot remove the cutover record in "
                    + config.stateDir() + ": " + e.getMessage(), e));
            return;
        }
        cutOver = false;
        cutOverRecord = null;
        recordToWrite = false;
        session.closedForGood(false);
        changes.requestPass();
        LOG.warn("released: {}; replicating again to {} (it refuses while it holds the seal)", was, hostPort());
        c.result().complete("released: " + was + "; replicating again to " + hostPort()
                + " once its seal is lifted too");
    }

    /**
     * Pauses, resumes or limits sending. Under the scan tracker a pause drops the pass running (its
     * blocks are read again later) so that passes go on counting what changes; a resume drops that
     * counting pass and starts one that sends.
     */
    private void setFlow(AgentCommand.SetFlow c) {
        boolean wasPaused = flow.paused();
        boolean resumed = flow.apply(c, System.nanoTime());
        if (changes.walks.feed() == null && (resumed || !wasPaused && flow.paused())) {
            changes.passes.abandon();
            changes.passes.request();
        }
        c.result().complete(flow.status());
    }

    /**
     * How long the agent waits for a command when it has no work: less when the bandwidth limit has
     * room again sooner, or when the dirty blocks gathering for the next walk are due sooner.
     */
    private long idleWaitNs() {
        long now = System.nanoTime();
        long untilAllowedNs = flow.nsUntilAllowed(now);
        long waitNs = untilAllowedNs > 0 ? Math.min(IDLE_WAIT_NS, untilAllowedNs) : IDLE_WAIT_NS;
        return Math.min(waitNs, changes.walks.nsUntilGathered(now));
    }

    private void tick() throws IOException {
        long now = System.nanoTime();
        if (!stopping) {
            session.connectIfDue(now);
        }
        changes.tick(now, (session.connected() || cutOver) && !jobs.reconciling() && jobs.allowsPasses(), cutOver,
                jobs.reconciling(), flow.paused());
        forecast(now);
        flow.pace(now, jobs.cutoverRunning(), pacingInputs);
        session.drainRate().tick(now, !session.inFlight().isEmpty());
        completeWaiters();
        jobs.tick(now);
        if (!cutOver && session.journal() && initialCopyComplete()) {
            session.initialCopyDone();
        }
        if (!initialSyncLogged && initialCopyComplete()) {
            initialSyncLogged = true;
            long ms = TimeUnit.NANOSECONDS.toMillis(now - startedNs);
            for (VolumeState v : volumes) {
                LOG.info("initial sync of {} done: {} bytes durable on the target, {} payload bytes sent, {} ms since start; "
                        + "replicating changes", v.info.name(), v.info.sizeBytes(), v.sentPayloadBytes, ms);
            }
        }
        if (recordToWrite && !jobs.holdsStateWrites()) {
            writeCutoverRecord();
        }
        if (now - nextStateFlushNs >= 0 && !jobs.holdsStateWrites()) {
            flushState();
            nextStateFlushNs = now + STATE_FLUSH_INTERVAL_NS;
        }
    }

    /** Whether the initial copy of every volume is complete: every block's contents known on the target. */
    boolean initialCopyComplete() {
        for (VolumeState v : volumes) {
            if (v.syncedBytes() != v.info.sizeBytes()) {
                return false;
            }
        }
        return true;
    }

    /** Samples each volume's {@link Forecast} (at most once a second). */
    private void forecast(long nowNs) {
        for (VolumeState v : volumes) {
            long dirtyBytes = v.dirty == null ? 0 : v.dirty.count() * v.blockSize();
            long backlog = v.backlogBytes(session.inFlight().changedBytes(v.index), session.resend().changedBytes(v.index))
                    + (v.dirty == null ? v.lastPassChangedBytes : 0);
            v.forecast.sample(nowNs, backlog, v.changedBytesFound + dirtyBytes, v.sentPlainBytes,
                    v.dirty == null ? v.scanWriteBytesPerSecond : -1, v.syncedBytes() == v.info.sizeBytes());
        }
    }

    private boolean hasWork() {
        return changes.observing() || pipeline.canSend() && (!session.resend().isEmpty()
                || changes.passes.ready() || jobs.wantsStep() || changes.walks.ready());
    }

    /** Up to {@link #STEPS_PER_CYCLE} steps: resends first, then the jobs, then walks, then passes. */
    private void work() throws IOException {
        for (int i = 0; i < STEPS_PER_CYCLE; i++) {
            if (changes.observing()) {
                changes.passes.step();
            } else if (!pipeline.canSend()) {
                break;
            } else if (!session.resend().isEmpty()) {
                pipeline.resendOne();
            } else if (jobs.step()) {
                continue;
            } else if (jobs.reconciling() || !changes.step()) {
                break;
            }
        }
        session.flush();
    }

    /** A sync's barrier goes behind every frame sent so far, in the current session. */
    private final SyncWaiters.Barriers syncBarriers = new SyncWaiters.Barriers() {
        @Override
        public boolean journal() {
            return session.journal();
        }

        @Override
        public long sessionNumber() {
            return session.sessionNumber();
        }

        @Override
        public void send(long barrierId) {
            session.writeAndFlush(new Barrier(barrierId, session.coveredSequence()));
        }
    };

    /** Answers the syncs whose changes are all durable on the target, fails those past their deadline. */
    private void completeWaiters() {
        waiters.complete(isDrained(), changes.coveredSinceNs(), session.durableSequence(), syncBarriers,
                () -> backlogBytes() + " bytes not yet durable on the target " + hostPort()
                        + (session.lastError() == null ? "" : " (" + session.lastError() + ")"));
    }

    /**
     * A pass or walk finished: the syncs waiting for it may be answered, and a checkpoint waiting for it
     * (frozen, maybe) takes its next step at once rather than after the agent's idle wait.
     */
    private void covered() {
        completeWaiters();
        if (jobs.checkpointRunning()) {
            inbox.add(new AgentCommand.Wake());
        }
    }

    void addWaiter(Waiter waiter) {
        waiters.add(waiter);
        changes.requestPass();
    }

    /** Nothing is in flight or waiting to be resent, and no pass is running or due for a rescan. */
    boolean isDrained() {
        return session.connected() && session.inFlight().isEmpty() && session.resend().isEmpty() && changes.idle()
                && !jobs.reconciling();
    }

    /** What is known changed and not yet durable on the target, over all volumes. */
    long backlogBytes() {
        long sum = 0;
        for (VolumeState v : volumes) {
            sum += v.backlogBytes(session.inFlight().changedBytes(v.index), session.resend().changedBytes(v.index));
        }
        return sum;
    }

    long sentPayloadBytes() {
        return pipeline.sentPayloadBytes();
    }

    List<VolumeInfo> infos() {
        return volumes.stream().map(v -> v.info).toList();
    }

    String hostPort() {
        return config.hostPort();
    }

    /** The rescan or comparison with the target in progress, else the last one, else null. */
    RescanStatus rescanStatus() {
        long total = 0;
        for (VolumeState v : volumes) {
            total += v.info.sizeBytes();
        }
        RescanStatus reconciling = jobs.reconcileStatus(total);
        return reconciling != null ? reconciling : changes.rescanStatus(total);
    }

    /**
     * How long the oldest change not yet durable on the target may have waited: the oldest block
     * in flight or waiting to be resent since its change was first read (resends go before
     * anything else, in that order, so the oldest in flight is the first), and for the dirty
     * blocks a bound from the walks ({@link ChangeSources#dirtyLagNs}).
     */
    long lagMs() {
        long now = System.nanoTime();
        InFlight.Entry oldest = session.inFlight().oldest();
        long lagNs = oldest == null ? 0 : now - oldest.readNs();
        InFlight.Entry waiting = session.resend().oldest();
        if (waiting != null) {
            lagNs = Math.max(lagNs, now - waiting.readNs());
        }
        return TimeUnit.NANOSECONDS.toMillis(Math.max(lagNs, changes.dirtyLagNs(now)));
    }

    /** Writes the cutover record (no freeze may be in force now), with the fingerprints it counts writes against. */
    private void writeCutoverRecord() {
        recordToWrite = false;
        try {
            flushState();
            for (VolumeState v : volumes) {
                v.fingerprints.flush();
            }
            cutOverRecord.write(config.stateDir());
            LOG.info("cutover recorded in {}: this source does not replicate again by itself",
                    config.stateDir().resolve(CutoverRecord.FILE_NAME));
        } catch (IOException e) {
            LOG.error("could not record the cutover in {}: {}; the receiver's seal still refuses this source, which "
                    + "then learns it again", config.stateDir(), e.getMessage());
        }
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
                : "sync agent failed: " + Causes.describe(failure));
        waiters.failAll(cause);
        List<String> frozenLeft = jobs.stop();
        session.stop(cause);
        AgentCommand event;
        while ((event = inbox.poll()) != null) {
            if (event instanceof LinkEvent.Received r) {
                ReferenceCountUtil.release(r.frame());
            }
        }
        changes.close();
        session.close();
        if (!frozenLeft.isEmpty()) {
            LOG.error("state not saved: {} may still be frozen and the state directory may lie on it; the next "
                    + "start thaws them and compares every block with the target", frozenLeft);
            return;
        }
        new StateSaver(volumes, session, changes.walks.feed()).saveAtStop(failure == null);
    }

    /** What stopped the agent's thread by surprise, or null: then nothing it is asked will be answered. */
    public Throwable stoppedBy() {
        return stoppedBy;
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        inbox.add(new AgentCommand.Wake());
        thread.join();
    }
}
