package io.replicator.source;

import io.replicator.source.sync.ChangeFeed;
import io.replicator.source.sync.SyncAgent;
import io.replicator.source.sync.VolumeSetup;
import io.replicator.source.track.DeviceWrites;
import io.replicator.source.track.DirtyMap;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.track.TrackerState;
import io.replicator.source.track.kernel.BlockDeviceInfo;
import io.replicator.source.track.kernel.KernelTracker;
import io.replicator.source.track.kernel.TraceFs;
import io.replicator.source.volume.SourceVolume;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a starting source finds changes, and what it may trust from its last run: picks the tracker
 * ({@code auto} takes the kernel's block events when it can and says why not otherwise), starts
 * the kernel tracker before reading anything, then reads each volume's {@link TrackerState} and
 * decides between resuming (clean stop, device untouched since), a rescan by fingerprint (clean
 * stop, but the device was written meanwhile or the machine restarted) and a comparison with the
 * target's hashes (unclean stop, damaged state file). Finally marks the state unclean, so that a
 * crash from now on is noticed. Used once, by {@link SourceDaemon#start}, on its thread.
 */
final class Tracking implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tracking.class);

    final String kind;
    final String reason;
    final List<VolumeSetup> setups = new ArrayList<>();
    String reconcileReason;
    String rescanReason;
    private final KernelTracker tracker;
    /** The kernel tracker's dirty map of each volume, in the order of the volumes; empty under the scan tracker. */
    private final List<DirtyMap> dirtyMaps;
    /** The agent to tell about lost events, once it exists. */
    private final AtomicReference<SyncAgent> agent;

    private Tracking(String kind, String reason, KernelTracker tracker, List<DirtyMap> dirtyMaps,
                     AtomicReference<SyncAgent> agent) {
        this.kind = kind;
        this.reason = reason;
        this.tracker = tracker;
        this.dirtyMaps = List.copyOf(dirtyMaps);
        this.agent = agent;
    }

    /** Chooses the tracker and starts it; fails when {@code --tracker kernel} cannot work here. */
    static Tracking start(SourceConfig config, List<SourceVolume> volumes) throws IOException {
        String unavailable = TraceFs.unavailableReason();
        if (unavailable == null) {
            for (SourceVolume v : volumes) {
                if (!v.isBlockDevice()) {
                    unavailable = "volume " + v.name() + " (" + v.path() + ") is a file, not a block device";
                    break;
                }
            }
        }
        boolean kernel = switch (config.tracker()) {
            case KERNEL -> {
                if (unavailable != null) {
                    throw new IOException("--tracker kernel cannot work here: " + unavailable);
                }
                yield true;
            }
            case SCAN -> false;
            case AUTO -> unavailable == null;
        };
        if (!kernel) {
            String why = config.tracker() == SourceConfig.Tracker.SCAN ? "chosen with --tracker scan"
                    : "the kernel tracker cannot work here: " + unavailable;
            return new Tracking("scan", why + "; every block is reread every " + config.scanIntervalMs()
                    + " ms and compared with its fingerprint", null, List.of(), new AtomicReference<>());
        }
        List<DirtyMap> dirtyMaps = new ArrayList<>();
        List<KernelTracker.Volume> tracked = new ArrayList<>();
        for (SourceVolume v : volumes) {
            DirtyMap dirty = DirtyMap.forVolume(v.sizeBytes(), config.blockSizeBytes());
            dirtyMaps.add(dirty);
            tracked.add(new KernelTracker.Volume(BlockDeviceInfo.of(v.path()), dirty));
        }
        AtomicReference<SyncAgent> agentRef = new AtomicReference<>();
        KernelTracker tracker = KernelTracker.start(config.id(), tracked, config.traceBufferKb(), lossReason -> {
            SyncAgent a = agentRef.get();
            if (a != null) {
                a.eventsLost(lossReason);
            }
        });
        String why = config.tracker() == SourceConfig.Tracker.KERNEL ? "chosen with --tracker kernel"
                : "root, tracefs and block devices: completed writes are read from the kernel's block events";
        return new Tracking("kernel", why, tracker, dirtyMaps, agentRef);
    }

    /** Reads the saved state of each volume, decides what to trust, and marks the state unclean. */
    void plan(SourceConfig config, List<SourceVolume> volumes, List<FingerprintStore> stores) throws IOException {
        String bootId = DeviceWrites.bootId();
        List<String> reconcile = new ArrayList<>();
        List<String> rescan = new ArrayList<>();
        for (int i = 0; i < volumes.size(); i++) {
            SourceVolume v = volumes.get(i);
            FingerprintStore store = stores.get(i);
            DirtyMap map = tracker == null ? null : dirtyMaps.get(i);
            var file = TrackerState.file(config.stateDir(), v.name());
            TrackerState.Loaded loaded = TrackerState.load(file, store.blockCount(), config.blockSizeBytes());
            TrackerState s = loaded.state();
            long cursor = 0;
            if (loaded.problem() != null) {
                reconcile.add(v.name() + ": " + loaded.problem());
            } else if (s == null) {
                if (store.knownBlocks() > 0) {
                    reconcile.add(v.name() + ": fingerprints but no state file in " + config.stateDir());
                }
            } else if (!s.clean()) {
                reconcile.add(v.name() + ": the daemon did not stop cleanly (killed or crashed)");
            } else {
                cursor = s.cursorBlock();
                if (map != null) {
                    String untrusted = untrustedMap(s, v, bootId);
                    if (untrusted != null) {
                        rescan.add(v.name() + ": " + untrusted);
                    } else if (s.dirty() != null) {
                        try {
                            DirtyMap saved = DirtyMap.fromBytes(store.blockCount(), config.blockSizeBytes(), s.dirty());
                            for (long b = saved.nextDirty(0); b >= 0; b = saved.nextDirty(b + 1)) {
                                map.mark(b);
                            }
                            LOG.info("volume {}: clean stop, device untouched since: {} dirty blocks to send, "
                                    + "no rescan", v.name(), saved.count());
                        } catch (IllegalArgumentException e) {
                            rescan.add(v.name() + ": the saved dirty map is unusable (" + e.getMessage() + ")");
                        }
                    }
                }
            }
            long generation = s == null ? 0 : s.generation();
            setups.add(new VolumeSetup(v, store, map, file, generation + 1, cursor));
            new TrackerState(generation + 1, false, map != null, store.blockCount(), config.blockSizeBytes(), cursor,
                    store.lastAckSequence(), -1, bootId, null).save(file);
        }
        if (!reconcile.isEmpty()) {
            reconcileReason = String.join("; ", reconcile);
        } else if (!rescan.isEmpty()) {
            rescanReason = String.join("; ", rescan);
        }
    }

    private static String untrustedMap(TrackerState s, SourceVolume v, String bootId) {
        if (!s.kernel()) {
            return "the last run used the scan tracker";
        }
        if (!s.bootId().equals(bootId)) {
            return "the machine restarted since the daemon stopped";
        }
        if (s.deviceWrittenSectors() < 0) {
            return "the device was still being written when the daemon stopped";
        }
        long now = DeviceWrites.sectors(v.path());
        if (now != s.deviceWrittenSectors()) {
            return (now - s.deviceWrittenSectors()) + " sectors were written to " + v.path()
                    + " while the daemon was stopped";
        }
        return null;
    }

    /** The feed the agent catches up with, or null under the scan tracker. */
    ChangeFeed feed() {
        return tracker == null ? null : tracker::sync;
    }

    /** From now on, lost events start a rescan in {@code syncAgent}. */
    void attach(SyncAgent syncAgent) {
        agent.set(syncAgent);
    }

    @Override
    public void close() {
        if (tracker != null) {
            try {
                tracker.close();
            } catch (IOException e) {
                LOG.warn("stopping the kernel tracker: {}", e.getMessage());
            }
        }
    }
}
