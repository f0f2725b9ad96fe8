package io.replicator.source.sync;

import io.replicator.protocol.text.Causes;
import io.replicator.source.track.DeviceWrites;
import io.replicator.source.track.TrackerState;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each volume's {@link TrackerState} when the agent stops. A clean stop under the kernel
 * tracker saves the dirty map (with every block still in flight or waiting to be resent marked in
 * it) and the device's write count, read <em>before</em> a last catch-up: any write that completes
 * after that read moves the count, so the next start sees the difference and rescans; any write
 * that completed before it is in the saved map. If the count moves during the catch-up, it is
 * tried again, and after three tries the count is saved as unknown, which makes the next start
 * rescan. Runs on the agent's thread.
 */
final class StateSaver {
    private static final Logger LOG = LoggerFactory.getLogger(StateSaver.class);
    private static final int CATCH_UP_TRIES = 3;
    private static final long CATCH_UP_TIMEOUT_MS = 5_000;

    private final List<VolumeState> volumes;
    private final TargetSession session;
    /** The kernel tracker's feed, or null. */
    private final ChangeFeed feed;

    StateSaver(List<VolumeState> volumes, TargetSession session, ChangeFeed feed) {
        this.volumes = volumes;
        this.session = session;
        this.feed = feed;
    }

    /**
     * Saves everything at a stop: the fingerprints reach stable storage before a state file says
     * "clean stop" trusts them; then the state files, clean only when {@code clean} and the
     * fingerprints were saved; then the volumes close.
     */
    void saveAtStop(boolean clean) {
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
        save(clean && fingerprintsSaved);
        for (VolumeState v : volumes) {
            try {
                v.close();
            } catch (IOException e) {
                LOG.error("could not save the state of volume {}: {}; the next start compares every block",
                        v.info.name(), e.getMessage());
            }
        }
    }

    private void save(boolean clean) {
        long[] sectors = clean && feed != null ? settledWriteCounts() : null;
        if (clean && feed != null) {
            markUnacknowledged();
        }
        String bootId = DeviceWrites.bootId();
        for (int i = 0; i < volumes.size(); i++) {
            VolumeState v = volumes.get(i);
            if (v.stateFile == null) {
                continue;
            }
            byte[] dirty = clean && v.dirty != null ? v.dirty.toBytes() : null;
            TrackerState state = new TrackerState(++v.stateGeneration, clean, v.dirty != null, v.blockCount(),
                    v.blockSize(), v.cursorBlock, session.durableSequence(), sectors == null ? -1 : sectors[i], bootId,
                    dirty);
            try {
                state.save(v.stateFile);
                LOG.info("volume {}: state saved (generation {}, {}{})", v.info.name(), state.generation(),
                        clean ? "clean stop" : "after a failure: the next start compares every block with the target",
                        dirty == null ? "" : ", " + v.dirty.count() + " dirty blocks");
            } catch (IOException e) {
                LOG.error("volume {}: could not save its state to {}: {}; the next start compares every block with "
                        + "the target", v.info.name(), v.stateFile, e.getMessage());
            }
        }
    }

    /** Write counts that no write moved while the feed caught up, or null when they kept moving. */
    private long[] settledWriteCounts() {
        for (int attempt = 0; attempt < CATCH_UP_TRIES; attempt++) {
            long[] before = writeCounts();
            try {
                feed.catchUp().get(CATCH_UP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (Exception e) {
                LOG.warn("the kernel tracker could not catch up while stopping ({}); the next start rescans",
                        Causes.describe(e));
                return null;
            }
            if (java.util.Arrays.equals(before, writeCounts())) {
                return before;
            }
        }
        LOG.warn("the volumes were still being written while the daemon stopped; the next start rescans");
        return null;
    }

    private long[] writeCounts() {
        long[] counts = new long[volumes.size()];
        for (int i = 0; i < counts.length; i++) {
            VolumeState v = volumes.get(i);
            counts[i] = v.volume.isBlockDevice() ? DeviceWrites.sectors(v.volume.path()) : -1;
        }
        return counts;
    }

    /** Blocks sent but not acknowledged, or waiting to be resent, are not on the target yet. */
    private void markUnacknowledged() {
        InFlight.Entry e;
        while ((e = session.inFlight().pollAny()) != null) {
            volumes.get(e.volume()).dirty.mark(e.block());
        }
        for (InFlight.Entry waiting : session.resend().entries()) {
            volumes.get(waiting.volume()).dirty.mark(waiting.block());
        }
        session.resend().clear();
    }
}
