package io.replicator.source.sync;

import io.replicator.source.SourceMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Pass}es: one at a time, each volume read ahead of the agent ({@link ReadAhead}) and
 * every block considered by the {@link SendPipeline}. A pass that started after the cutover only
 * counts what changed. Routine passes (scan tracker) are due every scan interval or when asked
 * for; {@link ChangeSources} decides which pass starts. Not thread-safe: owned by the sync agent's
 * thread.
 */
final class PassSource implements ChangeSource {
    private static final Logger LOG = LoggerFactory.getLogger(PassSource.class);
    /** Bytes a scan pass reads at once, ahead of the agent, and how many such reads may be outstanding. */
    static final int READ_AHEAD_UNIT_BYTES = 4 << 20;
    static final int READ_AHEAD_DEPTH = 3;

    private final List<VolumeState> volumes;
    private final SendPipeline pipeline;
    private final SourceMetrics metrics;
    private final long scanIntervalMs;
    private final ChangeSources owner;
    private Pass pass;
    private boolean requested = true;
    private long nextPassNs;
    /** When the last pass that sent started, for the scan tracker's write rate; 0 before. */
    private long lastSendingPassStartNs;

    PassSource(List<VolumeState> volumes, SendPipeline pipeline, SourceMetrics metrics, long scanIntervalMs,
               ChangeSources owner) {
        this.volumes = volumes;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.scanIntervalMs = scanIntervalMs;
        this.owner = owner;
    }

    /** The pass running, or null. Read only. */
    Pass current() {
        return pass;
    }

    /** Asks for a routine pass now (scan tracker). */
    void request() {
        requested = true;
    }

    /** Whether a routine pass is due: asked for, or the scan interval since the last one has passed. */
    boolean routineDue(long nowNs) {
        return requested || nowNs - nextPassNs >= 0;
    }

    /** Starts {@code p}; a routine one answers the request for it. */
    void start(Pass p, boolean routine) {
        pass = p;
        for (VolumeState v : volumes) {
            v.passChangedBytes = 0;
        }
        if (routine) {
            requested = false;
        }
        if (pass.rescanReason != null) {
            LOG.warn("rescanning every block by fingerprint: {}", pass.rescanReason);
        }
    }

    /** Whether a pass after the cutover runs: it needs no room in the window, it sends nothing. */
    boolean observing() {
        return pass != null && pass.observeOnly;
    }

    @Override
    public boolean ready() {
        return pass != null;
    }

    @Override
    public void step() throws IOException {
        VolumeState v = volumes.get(pass.volume);
        if (pass.fromCursor && pass.readAhead == null && pass.block < v.cursorBlock) {
            pass.block = v.cursorBlock;
        }
        if (pass.block >= v.blockCount()) {
            closeReadAhead();
            pass.volume++;
            pass.block = 0;
            if (pass.volume >= volumes.size()) {
                finish();
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
            if (pass.rescanReason != null) {
                metrics.rescanned(v.info.name(), data.remaining());
            }
            int blocks = (data.remaining() + bs - 1) / bs;
            for (int i = 0; i < blocks; i++) {
                if (pipeline.consider(v, pass.block + i, data, i * bs, Math.min(bs, data.limit() - i * bs),
                        pass.observeOnly, false)) {
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

    /**
     * A pass while sending is paused sent nothing and covers nothing: what it found changed is the
     * backlog that the pass after the resume sends.
     */
    private void finishWhilePaused() {
        for (VolumeState v : volumes) {
            v.pausedChangedBlocks = Math.max(v.pausedChangedBlocks, v.observedChangedBlocks);
            v.observedChangedBlocks = 0;
        }
        pass = null;
        nextPassNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(scanIntervalMs);
    }

    /**
     * The scan tracker's write rate: a block the pass found changed was written between the pass
     * before and this one reading it, so what the pass found over the time between their starts.
     */
    private void measure(Pass done) {
        long sinceNs = lastSendingPassStartNs == 0 ? System.nanoTime() - done.startedNs
                : done.startedNs - lastSendingPassStartNs;
        for (VolumeState v : volumes) {
            v.pausedChangedBlocks = 0;
            if (!done.observeOnly && sinceNs > 0) {
                v.lastPassChangedBytes = v.passChangedBytes;
                v.scanWriteBytesPerSecond = v.passChangedBytes * 1e9 / sinceNs;
            }
        }
        lastSendingPassStartNs = done.startedNs;
    }

    /** Drops the pass running (unless it only observes): a rescan replaces it. */
    void abandon() {
        if (pass != null && (!pass.observeOnly || pass.whilePaused)) {
            closeReadAhead();
            pass = null;
        }
    }

    void closeReadAhead() {
        if (pass != null && pass.readAhead != null) {
            pass.readAhead.close();
            pass.readAhead = null;
        }
    }

    private void finish() {
        Pass done = pass;
        if (done.whilePaused) {
            finishWhilePaused();
            return;
        }
        measure(done);
        owner.passFinished(done);
        if (done.observeOnly) {
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
        metrics.passFinished(done.changedBlocks);
        LOG.debug("pass finished: {} blocks changed", done.changedBlocks);
        pass = null;
        nextPassNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(scanIntervalMs);
        owner.covered();
    }
}
