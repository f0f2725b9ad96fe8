package io.replicator.source.sync;

import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.SourceMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The kernel tracker's side: the {@link ChangeFeed}, its catch-ups and the {@link DirtyWalk}s over
 * the dirty maps it marks. A walk starts once a catch-up completed or a block is dirty; each step
 * clears, reads side by side ({@link ScatterRead}) and sends up to one read unit of dirty blocks of
 * one volume. While a pass runs, only blocks it has already passed are walked: it reads the others.
 * A catch-up's answer comes back through the agent's inbox ({@link AgentCommand.CaughtUp}); one
 * that a rescan voided ({@link #voidCatchUps}) is not trusted. Not thread-safe: owned by the sync
 * agent's thread.
 */
final class WalkSource implements ChangeSource {
    private static final long IDLE_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * How long after a walk finished the next one waits for dirty blocks to gather, unless a
     * catch-up asks for it (a sync, a cutover's drain): under a steady stream of writes a walk then
     * takes hundreds of blocks a step instead of a few, so each block costs a share of one read
     * hand-off, one flush and one acknowledgement instead of its own, and a block written again
     * meanwhile is read once. It adds at most this much to the lag.
     */
    static final long GATHER_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final List<VolumeState> volumes;
    private final SendPipeline pipeline;
    private final SourceMetrics metrics;
    private final ScatterRead scatterRead;
    private final WalkRanges walkRanges = new WalkRanges(SendPipeline.UNIT_BYTES / VolumeInfo.MIN_BLOCK_SIZE);
    private final ChangeSources owner;
    private final PassSource passes;
    private final Consumer<AgentCommand> inbox;
    /** Walks wait while this holds (the cutover is done, or the comparison after an unclean stop runs). */
    private final BooleanSupplier held;
    /** Null: the scan tracker, or the kernel tracker failed. */
    private ChangeFeed feed;
    private DirtyWalk walk;
    /** When the last finished walk started, and whether one finished. */
    private long lastWalkStartNs;
    private boolean walkFinished;
    private long nextWalkNs;
    /** No walk starts before this for dirty blocks alone (a catch-up still starts one): {@link #GATHER_NS}. */
    private long gatherUntilNs;
    private long caughtUpNs = Long.MIN_VALUE;
    private boolean caughtUpUnwalked;
    private boolean catchUpRunning;
    private boolean catchUpAgain;
    private int feedEpoch;

    WalkSource(List<VolumeState> volumes, SendPipeline pipeline, SourceMetrics metrics, ScatterRead scatterRead,
               ChangeFeed feed, ChangeSources owner, PassSource passes, Consumer<AgentCommand> inbox,
               BooleanSupplier held) {
        this.volumes = volumes;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.scatterRead = scatterRead;
        this.feed = feed;
        this.owner = owner;
        this.passes = passes;
        this.inbox = inbox;
        this.held = held;
    }

    /** The feed, or null under the scan tracker or once the kernel tracker failed. */
    ChangeFeed feed() {
        return feed;
    }

    DirtyWalk current() {
        return walk;
    }

    /** Whether a catch-up is under way or one completed that no walk has used yet. */
    boolean catchUpPending() {
        return catchUpRunning || caughtUpUnwalked;
    }

    /** A rescan: the catch-ups asked for so far no longer vouch for anything. */
    void voidCatchUps() {
        feedEpoch++;
        caughtUpUnwalked = false;
    }

    /** Asks the feed to catch up; its answer comes back as {@link AgentCommand.CaughtUp}. */
    void requestCatchUp() {
        if (catchUpRunning) {
            catchUpAgain = true;
            return;
        }
        catchUpRunning = true;
        long requestNs = System.nanoTime();
        int epoch = feedEpoch;
        CompletableFuture<Void> caughtUp = feed.catchUp();
        caughtUp.whenComplete((ignored, error) -> inbox.accept(new AgentCommand.CaughtUp(requestNs, epoch, error)));
    }

    /**
     * A catch-up asked for at {@code requestNs} ended.
     *
     * @return false when it failed: the feed is given up
     */
    boolean caughtUp(long requestNs, int epoch, Throwable error) {
        catchUpRunning = false;
        boolean ok = error == null;
        if (!ok) {
            feed = null;
            walk = null;
        } else if (epoch == feedEpoch) {
            caughtUpNs = requestNs;
            caughtUpUnwalked = true;
        }
        if (catchUpAgain) {
            catchUpAgain = false;
            requestCatchUp();
        }
        return ok;
    }

    @Override
    public boolean ready() {
        if (feed == null || held.getAsBoolean()) {
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
        if (System.nanoTime() - gatherUntilNs < 0) {
            return false;
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
    @Override
    public void step() throws IOException {
        if (walk == null) {
            walk = new DirtyWalk(caughtUpUnwalked ? caughtUpNs : Long.MIN_VALUE);
            caughtUpUnwalked = false;
        }
        VolumeState v = volumes.get(walk.volume);
        long limit = v.blockCount();
        Pass pass = passes.current();
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
                finish();
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

    private void finish() {
        owner.walkFinished(walk);
        long now = System.nanoTime();
        nextWalkNs = passes.current() != null ? now + IDLE_WAIT_NS : now;
        gatherUntilNs = now + GATHER_NS;
        lastWalkStartNs = walk.startedNs;
        walkFinished = true;
        walk = null;
        owner.covered();
    }

    /**
     * How long from {@code nowNs} until a walk may start for the dirty blocks gathering now, for the
     * agent's idle wait; {@link Long#MAX_VALUE} when no walk waits for that.
     */
    long nsUntilGathered(long nowNs) {
        if (feed == null || walk != null || gatherUntilNs - nowNs <= 0) {
            return Long.MAX_VALUE;
        }
        return gatherUntilNs - nowNs;
    }

    /** Whether a walk has finished since the start. */
    boolean hasFinishedWalk() {
        return walkFinished;
    }

    /**
     * The latest time before which every block still dirty must have been marked, by what the
     * walks vouch for: the last finished walk's start, or the current walk's start when no dirty
     * block is left ahead of its position. Meaningful once {@link #hasFinishedWalk}.
     */
    long walkBoundNs() {
        long boundNs = lastWalkStartNs;
        if (walk != null && !walk.dirtyAhead(volumes)) {
            boundNs = walk.startedNs;
        }
        return boundNs;
    }

    /** The agent stops: the reader of scattered ranges ends. */
    void close() {
        scatterRead.close();
    }
}
