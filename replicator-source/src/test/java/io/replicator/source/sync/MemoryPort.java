package io.replicator.source.sync;

import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.cutover.CutoverRecord;
import io.replicator.source.cutover.FreezeGuard;
import io.replicator.source.cutover.FreezeRecord;
import io.replicator.source.track.DirtyMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One volume in memory for the jobs' tests; the target holds {@link #target}; records what the jobs
 * send and change. Not thread-safe: the test's thread.
 */
final class MemoryPort implements JobPort {
    static final int BLOCK = 4096;

    final byte[] source;
    final byte[] target;
    final List<VolumeInfo> volumes;
    final List<HashRequest> asked = new ArrayList<>();
    final List<Long> barriers = new ArrayList<>();
    final List<Long> differing = new ArrayList<>();
    final List<Long> held = new ArrayList<>();
    boolean connected = true;
    boolean drained;
    boolean cutOver;
    CutoverRecord record;
    final List<CutoverReport> reports = new ArrayList<>();
    int passesAsked;
    VerifyJob compared;
    /** Set by a test of incremental verification: what the kernel tracker marks, and the proofs kept against it. */
    DirtyMap dirty;
    KeptHashes kept;

    MemoryPort(int blocks) {
        source = new byte[blocks * BLOCK];
        new Random(1).nextBytes(source);
        target = source.clone();
        volumes = List.of(new VolumeInfo("root", source.length, BLOCK));
    }

    /** The target's answer to the oldest question not yet answered. */
    HashResponse answer(HashRequest q) {
        ChunkHashes hashes = new ChunkHashes();
        byte[][] out = new byte[q.count()][];
        for (int i = 0; i < q.count(); i++) {
            out[i] = hashes.hashChunk(ByteBuffer.wrap(target, (int) q.offset() + i * BLOCK, BLOCK));
        }
        return new HashResponse(q.requestId(), q.volume(), q.offset(), BLOCK, out);
    }

    @Override
    public List<VolumeInfo> volumes() {
        return volumes;
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public String hostPort() {
        return "127.0.0.1:9";
    }

    @Override
    public String lastError() {
        return null;
    }

    @Override
    public boolean reconciling() {
        return false;
    }

    @Override
    public long backlogBytes() {
        return 0;
    }

    @Override
    public double drainBytesPerSecond() {
        return 0;
    }

    @Override
    public int inFlightBlocks() {
        return 0;
    }

    @Override
    public long inFlightBytes() {
        return 0;
    }

    @Override
    public int resendBlocks() {
        return 0;
    }

    @Override
    public long sentPayloadBytes() {
        return 0;
    }

    @Override
    public long lastSequenceSent() {
        return 0;
    }

    @Override
    public FreezeRecord freezeRecord() {
        return null;
    }

    @Override
    public boolean journalSupported() {
        return false;
    }

    @Override
    public boolean initialCopyComplete() {
        return true;
    }

    @Override
    public boolean coveredSince(long sinceNs) {
        return drained;
    }

    @Override
    public void requestFreshPass() {
        passesAsked++;
    }

    @Override
    public long coveredSequence() {
        return 0;
    }

    @Override
    public void holdFrames(long maxBytes) {
    }

    @Override
    public HeldFrames heldFrames() {
        return null;
    }

    @Override
    public void releaseHeld(io.replicator.protocol.wire.Frame after) {
    }

    @Override
    public void wake() {
    }

    @Override
    public void readChunks(int volume, long firstBlock, int count, ChunkVisitor visitor) throws IOException {
        for (int i = 0; i < count; i++) {
            visitor.visit(i, firstBlock + i, ByteBuffer.wrap(source, (int) (firstBlock + i) * BLOCK, BLOCK).slice());
        }
    }

    @Override
    public void askHashes(HashRequest request) {
        asked.add(request);
    }

    @Override
    public boolean settledOnTarget(int volume, long block, ByteBuffer chunk) {
        return true;
    }

    @Override
    public void targetHolds(int volume, long block, long fingerprint) {
        held.add(block);
    }

    @Override
    public void targetDiffers(int volume, long block) {
        differing.add(block);
    }

    @Override
    public void initialCopyDone() {
    }

    @Override
    public void compare(VerifyJob verify) {
        compared = verify;
    }

    @Override
    public void sendBarrier(long barrierId) {
        barriers.add(barrierId);
    }

    @Override
    public void requestPass() {
        passesAsked++;
    }

    @Override
    public boolean drainedSince(long sinceNs) {
        return drained;
    }

    @Override
    public void cutOver(CutoverRecord r) {
        cutOver = true;
        record = r;
    }

    @Override
    public String sourceId() {
        return "web1";
    }

    @Override
    public long sentPayloadBytes(int volume) {
        return 0;
    }

    @Override
    public boolean sealSupported() {
        return true;
    }

    @Override
    public long sendReport(boolean seal, String reportId, String json, String markdown) {
        reports.add(new CutoverReport(reports.size() + 1, seal, reportId, json, markdown));
        return reports.size();
    }

    @Override
    public void keepFrozen(FreezeGuard guard, long frozenSinceNs, long maxFrozenMs) {
        throw new AssertionError("nothing is frozen here");
    }

    @Override
    public KeptHashes keptHashes() {
        return kept;
    }

    @Override
    public String whyFullVerify() {
        return kept == null ? "no kernel tracker in memory" : null;
    }

    @Override
    public void forgetProofs() {
        if (kept != null) {
            kept.forgetAll();
        }
    }
}
