package io.replicator.source.sync;

import io.replicator.source.SourceState;
import io.replicator.source.SourceStatus;
import io.replicator.source.VolumeStatus;
import io.replicator.source.cutover.CutoverRecord;
import java.util.ArrayList;
import java.util.List;

/** Takes the agent's status for the {@link StatusBoard}. Agent's thread only; holds nothing. */
final class StatusSnapshot {
    private StatusSnapshot() {
    }

    /**
     * The status as the agent sees it now, its tracker left null unless the kernel tracker failed
     * (then {@code scan} and why): the daemon names the tracker it chose. Agent's thread only.
     */
    static SourceStatus take(SyncAgent agent) {
        List<VolumeStatus> vs = new ArrayList<>();
        long lag = agent.lagMs();
        for (VolumeState v : agent.volumes) {
            long unreplicated = agent.cutOver && v.dirty != null ? v.dirty.count() : v.unreplicatedBlocks;
            long backlog = v.backlogBytes(agent.session.inFlight().changedBytes(v.index),
                    agent.session.resend().changedBytes(v.index));
            Forecast f = v.forecast;
            vs.add(new VolumeStatus(v.info.name(), v.volume.path().toString(), v.info.sizeBytes(),
                    v.blockSize(), v.syncedBytes(), backlog, v.sentPayloadBytes, lag,
                    Math.min(v.info.sizeBytes(), unreplicated * v.blockSize()), agent.writtenSinceBytes(v),
                    Math.round(f.writeBytesPerSecond()), Math.round(f.sendBytesPerSecond()),
                    f.etaMs(v.info.sizeBytes() - v.syncedBytes()), f.catchUpMs(backlog), !f.notConverging(),
                    f.describe(backlog)));
        }
        String feedFailure = agent.changes.feedFailure();
        boolean failed = feedFailure != null;
        TargetSession session = agent.session;
        return new SourceStatus(agent.config.sourceId(), state(agent), failed ? "scan" : null,
                failed ? feedFailure : null,
                agent.rescanStatus(), agent.hostPort(), session.connected(), session.lastError(),
                session.durableSequence(),
                vs, session.nextAttemptMs(System.nanoTime()), session.failedAttempts(System.nanoTime()), 0,
                agent.jobs.frozenNow(), cutOver(agent.cutOverRecord), agent.flow.status(), null,
                agent.flow.pacingStatus());
    }

    private static SourceStatus.CutOver cutOver(CutoverRecord r) {
        return r == null ? null : new SourceStatus.CutOver(r.waveId(), r.reportId(), r.cutOverUtc(), r.how(), r.detail());
    }

    private static SourceState state(SyncAgent agent) {
        if (agent.cutOver) {
            return SourceState.CUT_OVER;
        } else if (agent.jobs.cutoverRunning()) {
            return SourceState.CUTTING_OVER;
        } else if (!agent.session.connected()) {
            // Never connected yet: connecting until the first attempt failed, then disconnected (with why).
            return agent.session.hasConnectedOnce() || agent.session.lastError() != null ? SourceState.DISCONNECTED
                    : SourceState.CONNECTING;
        } else if (agent.flow.paused()) {
            return SourceState.PAUSED;
        } else if (agent.rescanStatus() != null && agent.rescanStatus().running()) {
            return SourceState.RESCAN;
        }
        boolean converging = true;
        for (VolumeState v : agent.volumes) {
            if (v.syncedBytes() < v.info.sizeBytes()) {
                return SourceState.INITIAL_SYNC;
            }
            converging &= !v.forecast.notConverging();
        }
        return converging ? SourceState.CONTINUOUS : SourceState.NOT_CONVERGING;
    }
}
