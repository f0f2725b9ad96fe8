package io.replicator.source.sync;

import io.replicator.protocol.text.Causes;
import io.replicator.source.RescanStatus;
import io.replicator.source.SourceMetrics;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change sources ({@link PassSource}, {@link WalkSource}) and what they have covered: which
 * pass starts when, the rescan due or running and why, and since when every completed write has
 * been read ({@link #coveredSinceNs}), which the syncs and the cutover's drain wait for. Under the
 * scan tracker (no feed) routine passes run every scan interval; under the kernel tracker a pass
 * runs only for the initial copy and for rescans, and walks do the rest. Not thread-safe: owned by
 * the sync agent's thread.
 */
final class ChangeSources {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeSources.class);

    private final List<VolumeState> volumes;
    private final SourceMetrics metrics;
    private final long scanIntervalMs;
    private final Runnable onCovered;
    final PassSource passes;
    final WalkSource walks;
    /** Why the kernel tracker was given up for rescans, or null. */
    private String feedFailure;
    /** Why the next or current pass rereads every block; null when no rescan is due. */
    private String rescanReason;
    private String lastRescanReason;
    private boolean rescanRequested;
    /** A catch-up was asked for at this time and the coverage has not reached it yet. */
    private boolean coverageWanted;
    private long coverageWantedNs;
    /**
     * Every write that completed before this time has been read by a pass or walk since. Starts a
     * year in the past rather than at {@link Long#MIN_VALUE}, so that the wrap-safe comparison
     * {@code lastFinishedPassStartNs - sinceNs >= 0} does not overflow into "covered".
     */
    private long lastFinishedPassStartNs = System.nanoTime() - TimeUnit.DAYS.toNanos(365);

    /**
     * @param feed         the kernel tracker's feed, or null for the scan tracker
     * @param rescanReason non-null: reread every block by fingerprint first, and why
     * @param onCovered    called when a pass or walk finished (a sync may be answered)
     * @param held         walks wait while this holds
     */
    ChangeSources(List<VolumeState> volumes, SendPipeline pipeline, SourceMetrics metrics, AgentConfig config,
                  ChangeFeed feed, String rescanReason, Consumer<AgentCommand> inbox, Runnable onCovered,
                  BooleanSupplier held) {
        this.volumes = volumes;
        this.metrics = metrics;
        this.scanIntervalMs = config.scanIntervalMs();
        this.onCovered = onCovered;
        this.passes = new PassSource(volumes, pipeline, metrics, scanIntervalMs, this);
        this.walks = new WalkSource(volumes, pipeline, metrics, new ScatterRead(config.sourceId()), feed, this,
                passes, inbox, held);
        if (rescanReason != null) {
            this.rescanReason = rescanReason;
            this.rescanRequested = true;
        }
    }

    /**
     * Starts the pass that is due, if {@code mayPass}: under the scan tracker a routine pass (one
     * that only observes after the cutover), under the kernel tracker the initial copy or a rescan.
     * Under the kernel tracker, asks the feed again for a catch-up that a rescan voided.
     */
    void tick(long nowNs, boolean mayPass, boolean cutOver, boolean reconciling) {
        tick(nowNs, mayPass, cutOver, reconciling, false);
    }

    /**
     * As above; while sending is {@code paused} the scan tracker's passes only count what changed
     * (the backlog), and the kernel tracker's walks wait.
     */
    void tick(long nowNs, boolean mayPass, boolean cutOver, boolean reconciling, boolean paused) {
        ChangeFeed feed = walks.feed();
        if (passes.current() == null && mayPass) {
            String reason = rescanRequested ? rescanReason : null;
            if (feed == null && paused && !cutOver && passes.routineDue(nowNs)) {
                passes.start(new Pass(nowNs, true, false, null, true), false);
            } else if (feed == null && !paused && (passes.routineDue(nowNs) || rescanRequested)) {
                passes.start(new Pass(nowNs, cutOver, false, reason), true);
                rescanRequested = false;
            } else if (feed != null && !cutOver && !paused && (rescanRequested || initialCopyPending())) {
                passes.start(new Pass(nowNs, false, !rescanRequested, reason), false);
                rescanRequested = false;
            }
        }
        if (feed != null && coverageWanted) {
            if (lastFinishedPassStartNs - coverageWantedNs >= 0) {
                coverageWanted = false;
            } else if (!walks.catchUpPending() && walks.current() == null && passes.current() == null
                    && !rescanRequested && rescanReason == null && !reconciling) {
                // a loss or rescan voided the last catch-up: ask again
                walks.requestCatchUp();
            }
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

    /** Whether a pass after the cutover runs: it steps whatever the window. */
    boolean observing() {
        return passes.observing();
    }

    /** Whether a walk or pass has a step to take. */
    boolean ready() {
        return walks.ready() || passes.ready();
    }

    /** Takes a step of the walk, else of the pass; false when neither has one. */
    boolean step() throws IOException {
        if (walks.ready()) {
            walks.step();
        } else if (passes.ready()) {
            passes.step();
        } else {
            return false;
        }
        return true;
    }

    /** Asks for a fresh look at every volume: a pass (scan tracker) or a catch-up and walk (kernel tracker). */
    void requestPass() {
        if (walks.feed() == null) {
            passes.request();
        } else {
            coverageWanted = true;
            coverageWantedNs = System.nanoTime();
            walks.requestCatchUp();
        }
    }

    /**
     * The feed may have missed writes: reread every block by fingerprint (not a resend) and say why.
     * What the verifications proved of each chunk ({@link KeptHashes}) is void too.
     */
    void rescan(String reason) {
        for (VolumeState v : volumes) {
            if (v.dirty != null) {
                v.dirty.follower().markAll();
            }
        }
        walks.voidCatchUps();
        rescanReason = reason;
        rescanRequested = true;
        passes.abandon();
    }

    /** The change feed lost events; after the cutover nothing is replicated any more. */
    void eventsLost(String reason, boolean cutOver) {
        if (cutOver) {
            LOG.warn("{}; the cutover is done, nothing is replicated any more", reason);
            return;
        }
        LOG.warn("{}: some writes may not be marked dirty; rescanning every block by fingerprint", reason);
        metrics.eventLoss();
        rescan(reason);
    }

    /** A catch-up ended; a failed one gives the kernel tracker up for rescans by fingerprint. */
    void caughtUp(AgentCommand.CaughtUp c, boolean cutOver) {
        if (!walks.caughtUp(c.requestNs(), c.epoch(), c.error())) {
            String why = Causes.describe(c.error());
            feedFailure = "the kernel tracker failed (" + why + "); every block is reread every "
                    + scanIntervalMs + " ms and compared with its fingerprint";
            LOG.error("{}", feedFailure);
            if (!cutOver) {
                rescan("the kernel tracker failed: " + why);
            }
        }
    }

    /** The comparison with the target after an unclean stop, {@code why}, has finished: a pass follows. */
    void reconciled(String why) {
        lastRescanReason = why;
        passes.request();
    }

    void passFinished(Pass pass) {
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
    }

    void walkFinished(DirtyWalk walk) {
        if (walk.coversNs != Long.MIN_VALUE && rescanReason == null && !rescanRequested) {
            lastFinishedPassStartNs = Math.max(lastFinishedPassStartNs, walk.coversNs);
        }
    }

    /** A pass or walk finished. */
    void covered() {
        onCovered.run();
    }

    /** Every write that completed before this time has been read by a pass or walk since. */
    long coveredSinceNs() {
        return lastFinishedPassStartNs;
    }

    /** No pass runs and none is due for a rescan. */
    boolean idle() {
        return passes.current() == null && !rescanRequested;
    }

    String feedFailure() {
        return feedFailure;
    }

    /** The rescan in progress, else the last one, else null; {@code totalBytes} over all volumes. */
    RescanStatus rescanStatus(long totalBytes) {
        if (rescanReason == null) {
            return lastRescanReason == null ? null : new RescanStatus(lastRescanReason, false, totalBytes, totalBytes);
        }
        long done = 0;
        Pass pass = passes.current();
        if (pass != null && pass.rescanReason != null) {
            for (int i = 0; i < pass.volume && i < volumes.size(); i++) {
                done += volumes.get(i).info.sizeBytes();
            }
            if (pass.volume < volumes.size()) {
                VolumeState v = volumes.get(pass.volume);
                done += Math.min(v.info.sizeBytes(), pass.block * v.blockSize());
            }
        }
        return new RescanStatus(rescanReason, true, done, totalBytes);
    }

    /**
     * How long the oldest dirty block may have waited, at {@code nowNs}: a block still dirty was
     * marked after its region's time in the dirty map (which the walk moves forward as it takes
     * each region whole), after the last finished walk started (that walk cleared every block
     * marked before it reached it), or after the current walk started when no dirty block is left
     * ahead of its position; without a pass, which leaves the blocks ahead of it to itself, the
     * latest of these bounds its age.
     */
    long dirtyLagNs(long nowNs) {
        long lagNs = 0;
        boolean bounded = passes.current() == null && walks.hasFinishedWalk();
        long walkBoundNs = walks.walkBoundNs();
        for (VolumeState v : volumes) {
            if (v.dirty != null && v.dirty.count() > 0) {
                long sinceNs = v.dirty.oldestMarkNs();
                if (bounded && walkBoundNs - sinceNs > 0) {
                    sinceNs = walkBoundNs;
                }
                lagNs = Math.max(lagNs, nowNs - sinceNs);
            }
        }
        return lagNs;
    }

    /** The agent stops: the pass's reads ahead and the walk's reader end. */
    void close() {
        passes.closeReadAhead();
        walks.close();
    }
}
