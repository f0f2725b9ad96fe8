package io.replicator.source.sync;

import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.cutover.CutoverRecord;
import io.replicator.source.cutover.FreezeGuard;
import io.replicator.source.cutover.FreezeRecord;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.track.Fingerprints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The {@link JobPort} of a {@link SyncAgent}: what its jobs may see and do, answered by the
 * agent's owners (the session, the pipeline, the change sources). Agent's thread only.
 */
final class AgentPort implements JobPort {
    private final SyncAgent agent;
    private final List<VolumeInfo> infos;
    private long nextReportRequestId = 1;
    private KeptHashes kept;

    AgentPort(SyncAgent agent) {
        this.agent = agent;
        this.infos = agent.infos();
    }

    @Override
    public List<VolumeInfo> volumes() {
        return infos;
    }

    @Override
    public String sourceId() {
        return agent.config.sourceId();
    }

    @Override
    public long sentPayloadBytes(int volume) {
        return agent.volumes.get(volume).sentPayloadBytes;
    }

    @Override
    public boolean sealSupported() {
        return agent.session.cutoverSeal();
    }

    @Override
    public long sendReport(boolean seal, String reportId, String json, String markdown) {
        long requestId = nextReportRequestId++;
        agent.session.writeAndFlush(new CutoverReport(requestId, seal, reportId, json, markdown));
        return requestId;
    }

    @Override
    public boolean journalSupported() {
        return agent.session.journal();
    }

    @Override
    public boolean initialCopyComplete() {
        return agent.initialCopyComplete();
    }

    @Override
    public boolean coveredSince(long sinceNs) {
        return agent.changes.coveredSinceNs() - sinceNs >= 0;
    }

    @Override
    public void requestFreshPass() {
        if (agent.changes.walks.feed() == null) {
            agent.changes.passes.abandon();
        }
        agent.changes.requestPass();
    }

    @Override
    public long coveredSequence() {
        return agent.session.coveredSequence();
    }

    @Override
    public void holdFrames(long maxBytes) {
        agent.session.hold(maxBytes);
    }

    @Override
    public HeldFrames heldFrames() {
        return agent.session.held();
    }

    @Override
    public void releaseHeld(io.replicator.protocol.wire.Frame after) {
        agent.session.releaseHeld(after);
    }

    @Override
    public void wake() {
        agent.submit(new AgentCommand.Wake());
    }

    @Override
    public void keepFrozen(FreezeGuard guard, long frozenSinceNs, long maxFrozenMs) {
        agent.jobs.keepFrozen(guard, frozenSinceNs, maxFrozenMs);
    }

    @Override
    public boolean connected() {
        return agent.session.connected();
    }

    @Override
    public String hostPort() {
        return agent.hostPort();
    }

    @Override
    public String lastError() {
        return agent.session.lastError();
    }

    @Override
    public boolean reconciling() {
        return agent.jobs.reconciling();
    }

    @Override
    public long backlogBytes() {
        return agent.backlogBytes();
    }

    @Override
    public double drainBytesPerSecond() {
        return agent.session.drainRate().bytesPerSecond();
    }

    @Override
    public int inFlightBlocks() {
        return agent.session.inFlight().size();
    }

    @Override
    public long inFlightBytes() {
        return agent.session.inFlight().bytes();
    }

    @Override
    public int resendBlocks() {
        return agent.session.resend().size();
    }

    @Override
    public long sentPayloadBytes() {
        return agent.sentPayloadBytes();
    }

    @Override
    public long lastSequenceSent() {
        return agent.session.lastSequenceSent();
    }

    @Override
    public FreezeRecord freezeRecord() {
        return agent.config.freezeRecord();
    }

    @Override
    public void readChunks(int volume, long firstBlock, int count, ChunkVisitor visitor) throws IOException {
        agent.pipeline.readChunks(volume, firstBlock, count, visitor);
    }

    @Override
    public void askHashes(HashRequest request) {
        agent.session.writeAndFlush(request);
    }

    @Override
    public boolean settledOnTarget(int volume, long block, ByteBuffer chunk) throws IOException {
        long committed = agent.volumes.get(volume).fingerprints.get(block);
        return committed != FingerprintStore.UNKNOWN && committed == Fingerprints.of(chunk)
                && agent.session.inFlight().latest(volume, block) == null
                && !agent.session.resend().contains(volume, block);
    }

    @Override
    public void targetHolds(int volume, long block, long fingerprint) throws IOException {
        agent.volumes.get(volume).fingerprints.set(block, fingerprint);
    }

    @Override
    public void targetDiffers(int volume, long block) throws IOException {
        VolumeState v = agent.volumes.get(volume);
        v.fingerprints.set(block, FingerprintStore.UNKNOWN);
        if (v.dirty != null) {
            v.dirty.mark(block);
        }
    }

    @Override
    public void initialCopyDone() {
        for (VolumeState v : agent.volumes) {
            v.cursorBlock = v.blockCount();
        }
    }

    @Override
    public KeptHashes keptHashes() {
        if (whyFullVerify() != null) {
            return null;
        }
        if (kept == null) {
            kept = KeptHashes.of(agent.volumes);
        }
        return kept;
    }

    @Override
    public String whyFullVerify() {
        return KeptHashes.whyFull(agent.volumes, agent.changes.feedFailure());
    }

    @Override
    public void forgetProofs() {
        if (kept != null) {
            kept.forgetAll();
        }
    }

    @Override
    public void compare(VerifyJob verify) {
        agent.jobs.compare(verify);
    }

    @Override
    public void sendBarrier(long barrierId) {
        agent.session.writeAndFlush(new Barrier(barrierId, agent.session.coveredSequence()));
    }

    @Override
    public void requestPass() {
        agent.changes.requestPass();
    }

    @Override
    public boolean drainedSince(long sinceNs) {
        return agent.isDrained() && agent.changes.coveredSinceNs() - sinceNs >= 0;
    }

    @Override
    public void cutOver(CutoverRecord record) {
        forgetProofs(); // what becomes of the sealed copy from now on is not the source's to see
        agent.cutOver(record);
    }
}
