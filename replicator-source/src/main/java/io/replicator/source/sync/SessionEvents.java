package io.replicator.source.sync;

import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.HashResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the {@link TargetSession}'s acknowledgements and answers mean for the rest of the agent:
 * an acknowledged block's fingerprint is committed (only then), the committed fingerprints reach
 * the state files now and then (not while a cutover's freeze may be in force), a barrier's ack and
 * the hashes go to the jobs, a refusal that needs the admin fails the waiting syncs. Agent's
 * thread only.
 */
final class SessionEvents implements TargetSession.Listener {
    /** Acknowledged fingerprints reach the state file (unforced) at most this often. */
    private static final long ACK_WRITE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    /** The agent whose owners hear of it: read at each event, as the session is made before them. */
    private final SyncAgent agent;
    private final List<VolumeState> volumes;
    private long nextAckWriteNs = System.nanoTime();

    SessionEvents(SyncAgent agent) {
        this.agent = agent;
        this.volumes = agent.volumes;
    }

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
        if (committed && now - nextAckWriteNs >= 0 && !agent.jobs.holdsStateWrites()) {
            for (VolumeState v : volumes) {
                v.fingerprints.lastAckSequence(durableSequence);
                v.fingerprints.write();
            }
            nextAckWriteNs = now + ACK_WRITE_INTERVAL_NS;
        }
        agent.metrics.acknowledged(durableSequence);
    }

    @Override
    public void targetLostData() throws IOException {
        for (VolumeState v : volumes) {
            v.fingerprints.clear();
        }
        agent.changes.rescan("the target lost data it had acknowledged");
    }

    @Override
    public void received(Frame frame) throws IOException {
        if (frame instanceof BarrierAck ack) {
            agent.jobs.onBarrierAck(ack);
        } else if (frame instanceof CutoverReportAck ack) {
            agent.jobs.onReportAck(ack);
        } else if (frame instanceof io.replicator.protocol.wire.CheckpointAck ack) {
            agent.jobs.onCheckpointAck(ack);
        } else if (frame instanceof HashResponse response) {
            String reconciled = agent.jobs.onHashes(response);
            if (reconciled != null) {
                agent.changes.reconciled(reconciled);
            }
        }
    }

    @Override
    public void refused(ErrorCode code, String why) {
        agent.jobs.refused(why);
        if (code == ErrorCode.CUT_OVER) {
            agent.learnCutOver(why);
        } else if (needsTheAdmin(code)) {
            agent.waiters.failAll(new IOException("not in sync: " + why));
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
                 UNSUPPORTED_VERSION, CUT_OVER -> true;
            default -> false;
        };
    }

    @Override
    public void connectionLost() {
        agent.metrics.connectionLost();
        agent.jobs.connectionLost();
    }
}
