package io.replicator.source.sync;

import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.source.VerifyResult;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.track.Fingerprints;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Compares source and target chunk by chunk (one chunk per block, SHA-256) while replication
 * runs. A chunk is compared only when the target is known to hold exactly the bytes read: its
 * fingerprint equals the committed one and nothing for it is in flight or queued for resend. The
 * request travels behind every block frame sent before it and the target answers after applying
 * them, so a compared chunk that differs is a real difference, never a block in flight: its
 * fingerprint is forgotten so that the next pass sends it again. Strict mode (the cutover) also
 * builds both roots and fails when any chunk could not be compared. Owned by the sync agent's
 * thread.
 */
final class VerifyJob implements Job {
    static final int CHUNKS_PER_REQUEST = 256;
    private static final int MAX_PENDING_REQUESTS = 4;
    private static final int MAX_REPORTED_OFFSETS = 10;

    private record Pending(long requestId, int volume, long firstBlock, byte[][] hashes, boolean[] compared) {
    }

    private static final class Tally {
        long compared;
        long inFlight;
        long differing;
        final List<Long> offsets = new ArrayList<>();
        final ChunkHashes sourceRoot = new ChunkHashes();
        final ChunkHashes targetRoot = new ChunkHashes();
    }

    private final SyncAgent agent;
    final boolean strict;
    final CompletableFuture<VerifyResult> done = new CompletableFuture<>();
    private final ChunkHashes hashes = new ChunkHashes();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final List<Tally> tallies = new ArrayList<>();
    private final long deadlineNs;
    private final long timeoutMs;
    private long nextRequestId = 1;
    private int volume;
    private long block;

    /** A verification inside a cutover, whose deadline the cutover keeps. */
    VerifyJob(SyncAgent agent, boolean strict) {
        this(agent, strict, 0, 0);
    }

    /** A verification that fails once {@code deadlineNs} has passed ({@code timeoutMs} after it was asked for; 0: none). */
    VerifyJob(SyncAgent agent, boolean strict, long deadlineNs, long timeoutMs) {
        this.agent = agent;
        this.strict = strict;
        this.deadlineNs = deadlineNs;
        this.timeoutMs = timeoutMs;
        for (VolumeState v : agent.volumes) {
            Tally t = new Tally();
            t.sourceRoot.beginRoot(v.info.sizeBytes(), v.blockSize());
            t.targetRoot.beginRoot(v.info.sizeBytes(), v.blockSize());
            tallies.add(t);
        }
    }

    boolean wantsStep() {
        return !done.isDone() && volume < agent.volumes.size() && pending.size() < MAX_PENDING_REQUESTS;
    }

    /** Reads and hashes the next range of chunks and asks the target for the same range. */
    void step() throws IOException {
        VolumeState v = agent.volumes.get(volume);
        if (block >= v.blockCount()) {
            volume++;
            block = 0;
            finishIfDone();
            return;
        }
        int bs = v.blockSize();
        int count = (int) Math.min(CHUNKS_PER_REQUEST, v.blockCount() - block);
        byte[][] sourceHashes = new byte[count][];
        boolean[] compared = new boolean[count];
        agent.readChunks(v, block, count, (i, b, chunk) -> {
            sourceHashes[i] = hashes.hashChunk(chunk);
            long committed = v.fingerprints.get(b);
            compared[i] = committed != FingerprintStore.UNKNOWN
                    && committed == Fingerprints.of(chunk)
                    && agent.inFlight.latest(v.index, b) == null
                    && !agent.resend.contains(v.index, b);
        });
        long id = nextRequestId++;
        pending.add(new Pending(id, v.index, block, sourceHashes, compared));
        agent.channel.writeAndFlush(new HashRequest(id, v.index, block * bs, bs, count));
        block += count;
    }

    void onResponse(HashResponse response) throws IOException {
        Pending p = pending.peekFirst();
        byte[][] targetHashes = response.hashes(); // a copy: taken once, not once per chunk
        if (p == null || p.requestId() != response.requestId() || targetHashes.length != p.hashes().length) {
            fail(unexpectedAnswer(response, p == null ? null : p.requestId()));
            return;
        }
        pending.pollFirst();
        VolumeState v = agent.volumes.get(p.volume());
        Tally t = tallies.get(p.volume());
        for (int i = 0; i < p.hashes().length; i++) {
            byte[] target = targetHashes[i];
            t.sourceRoot.addToRoot(p.hashes()[i]);
            t.targetRoot.addToRoot(target);
            if (!p.compared()[i]) {
                t.inFlight++;
            } else if (MessageDigest.isEqual(target, p.hashes()[i])) {
                t.compared++;
            } else {
                long b = p.firstBlock() + i;
                t.compared++;
                t.differing++;
                if (t.offsets.size() < MAX_REPORTED_OFFSETS) {
                    t.offsets.add(b * v.blockSize());
                }
                v.fingerprints.set(b, FingerprintStore.UNKNOWN);
                if (v.dirty != null) {
                    v.dirty.mark(b);
                }
                agent.requestPass();
            }
        }
        finishIfDone();
    }

    private void finishIfDone() {
        if (volume < agent.volumes.size() || !pending.isEmpty() || done.isDone()) {
            return;
        }
        List<VerifyResult.Volume> out = new ArrayList<>();
        long differing = 0;
        long inFlight = 0;
        for (int i = 0; i < tallies.size(); i++) {
            Tally t = tallies.get(i);
            differing += t.differing;
            inFlight += t.inFlight;
            String src = t.sourceRoot.finishRoot();
            String dst = t.targetRoot.finishRoot();
            boolean complete = t.inFlight == 0;
            out.add(new VerifyResult.Volume(agent.volumes.get(i).info.name(), t.compared, t.inFlight, t.differing,
                    List.copyOf(t.offsets), complete ? src : null, complete ? dst : null));
        }
        String result;
        String reason;
        if (differing > 0) {
            result = "differ";
            reason = differing + " chunks differ between source and target; they are being sent again";
        } else if (strict && inFlight > 0) {
            result = "incomplete";
            reason = inFlight + " chunks changed after the final pass: writes are still reaching the volume "
                    + "(freeze its file system with --freeze, or stop the applications writing to it)";
        } else {
            result = "ok";
            reason = inFlight == 0 ? "every chunk compared equal"
                    : "every settled chunk compared equal; " + inFlight + " chunks were in flight and not compared";
        }
        finish(new VerifyResult(result, reason, out));
    }

    static String unexpectedAnswer(HashResponse response, Long expectedRequestId) {
        return String.format("target answered hash request %d with %d hashes, expected request %s",
                response.requestId(), response.hashes().length, expectedRequestId == null ? "none" : expectedRequestId);
    }

    /** Completes the job and frees the agent for the next verification at once. */
    private void finish(VerifyResult result) {
        if (agent.verify == this) {
            agent.verify = null;
        }
        done.complete(result);
    }

    void connectionLost() {
        fail("the connection to the target was lost during verification");
    }

    @Override
    public void withdraw(String why) {
        fail("cancelled: " + why);
    }

    void fail(String reason) {
        pending.clear();
        finish(new VerifyResult("failed", reason, List.of()));
    }

    boolean isDone() {
        return done.isDone();
    }

    /** Fails the job when its deadline has passed; called on every loop of the agent. */
    void tick(long nowNs) {
        if (timeoutMs > 0 && !done.isDone() && nowNs - deadlineNs >= 0) {
            fail("timed out after " + timeoutMs + " ms");
        }
    }
}
