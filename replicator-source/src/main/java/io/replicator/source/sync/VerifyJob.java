package io.replicator.source.sync;

import io.replicator.source.VerifyOutcome;
import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.VerifyResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Compares source and target chunk by chunk (one chunk per block, SHA-256; {@link HashComparison})
 * while replication runs. A chunk is compared only when the target is known to hold exactly the
 * bytes read: its fingerprint equals the committed one and nothing for it is in flight or queued
 * for resend. The request travels behind every block frame sent before it and the target answers
 * after applying them, so a compared chunk that differs is a real difference, never a block in
 * flight: its fingerprint is forgotten so that the next pass sends it again. Strict mode (the
 * cutover) also builds both roots and fails when any chunk could not be compared.
 *
 * <p>With {@link KeptHashes} (kernel tracker) every comparison also keeps what it proved: a chunk
 * that compares equal and settled is proven with its hash, any other is not. An incremental job
 * compares only the chunks not proven (written since they were compared, or never proven), and its
 * strict form builds both roots from the kept hashes once every chunk is proven: the same roots a
 * full comparison gives of equal volumes. Owned by the sync agent's thread.
 */
final class VerifyJob implements Job, HashComparison.Chunks {
    private static final int MAX_REPORTED_OFFSETS = 10;

    private static final class Tally {
        long compared;
        long inFlight;
        long differing;
        final List<Long> offsets = new ArrayList<>();
        final ChunkHashes sourceRoot = new ChunkHashes();
        final ChunkHashes targetRoot = new ChunkHashes();
    }

    private final JobPort port;
    final boolean strict;
    final CompletableFuture<VerifyResult> done = new CompletableFuture<>();
    private final HashComparison comparison;
    private final List<Tally> tallies = new ArrayList<>();
    private final long deadlineNs;
    private final long timeoutMs;
    /** What is proven of each chunk, or null (scan tracker, or not kept). */
    private final KeptHashes kept;
    /** Compares only the chunks not proven in {@link #kept}. */
    final boolean incremental;

    /** A verification inside a cutover, whose deadline the cutover keeps: every chunk, or only the unproven ones when {@code incremental}. */
    VerifyJob(JobPort port, boolean strict, KeptHashes kept, boolean incremental) {
        this(port, strict, 0, 0, kept, incremental);
    }

    /** A verification that fails once {@code deadlineNs} has passed ({@code timeoutMs} after it was asked for; 0: none). */
    VerifyJob(JobPort port, boolean strict, long deadlineNs, long timeoutMs) {
        this(port, strict, deadlineNs, timeoutMs, port.keptHashes(), false);
    }

    private VerifyJob(JobPort port, boolean strict, long deadlineNs, long timeoutMs, KeptHashes kept,
                      boolean incremental) {
        if (incremental && kept == null) {
            throw new IllegalArgumentException("an incremental verification needs the kept hashes");
        }
        this.port = port;
        this.strict = strict;
        this.deadlineNs = deadlineNs;
        this.timeoutMs = timeoutMs;
        this.kept = kept;
        this.incremental = incremental;
        this.comparison = new HashComparison(port, this);
        for (VolumeInfo v : port.volumes()) {
            Tally t = new Tally();
            t.sourceRoot.beginRoot(v.sizeBytes(), v.blockSizeBytes());
            t.targetRoot.beginRoot(v.sizeBytes(), v.blockSizeBytes());
            tallies.add(t);
        }
    }

    @Override
    public boolean wantsStep() {
        return !done.isDone() && comparison.wantsStep();
    }

    /** Reads and hashes the next range of chunks and asks the target for the same range. */
    @Override
    public void step() throws IOException {
        comparison.step();
        finishIfDone();
    }

    @Override
    public long read(int volume, long block, ByteBuffer chunk) throws IOException {
        return port.settledOnTarget(volume, block, chunk) ? 1 : 0;
    }

    @Override
    public long next(int volume, long block) {
        return incremental ? kept.nextUnproven(volume, block) : block;
    }

    @Override
    public int rangeBlocks(int volume, long first, int max) {
        return incremental ? kept.rangeBlocks(volume, first, max) : max;
    }

    @Override
    public void reading(int volume, long first, int count) {
        if (kept != null) {
            kept.reading(volume, first, count);
        }
    }

    @Override
    public void unanswered(int volume, long first, int count) {
        if (kept != null) {
            kept.unprove(volume, first, count);
        }
    }

    @Override
    public void onHashes(HashResponse response) throws IOException {
        String unexpected = comparison.answer(response);
        if (unexpected != null) {
            fail(unexpected);
            return;
        }
        finishIfDone();
    }

    @Override
    public void answered(int volume, long block, byte[] sourceHash, byte[] targetHash, boolean equal, long settled)
            throws IOException {
        Tally t = tallies.get(volume);
        t.sourceRoot.addToRoot(sourceHash);
        t.targetRoot.addToRoot(targetHash);
        if (kept != null) {
            if (settled != 0 && equal) {
                kept.proven(volume, block, sourceHash);
            } else {
                kept.unprove(volume, block, 1);
            }
        }
        if (settled == 0) {
            t.inFlight++;
        } else if (equal) {
            t.compared++;
        } else {
            t.compared++;
            t.differing++;
            if (t.offsets.size() < MAX_REPORTED_OFFSETS) {
                t.offsets.add(block * port.volumes().get(volume).blockSizeBytes());
            }
            port.targetDiffers(volume, block);
            port.requestPass();
        }
    }

    private void finishIfDone() {
        if (!comparison.isDone() || done.isDone()) {
            return;
        }
        List<VerifyResult.Volume> out = new ArrayList<>();
        long differing = 0;
        long inFlight = 0;
        for (int i = 0; i < tallies.size(); i++) {
            Tally t = tallies.get(i);
            String src = t.sourceRoot.finishRoot();
            String dst = t.targetRoot.finishRoot();
            if (incremental) {
                // chunks left unproven: changed in flight, differing, or written after the comparison passed them
                t.inFlight = Math.max(t.inFlight, kept.unprovenChunks(i) - t.differing);
                src = kept.root(i);
                dst = src; // every kept hash compared equal with the target's
            }
            differing += t.differing;
            inFlight += t.inFlight;
            boolean complete = t.inFlight == 0 && src != null;
            out.add(new VerifyResult.Volume(port.volumes().get(i).name(), t.compared, t.inFlight, t.differing,
                    List.copyOf(t.offsets), complete ? src : null, complete ? dst : null));
        }
        VerifyOutcome result;
        String reason;
        if (differing > 0) {
            result = VerifyOutcome.DIFFER;
            reason = differing + " chunks differ between source and target; they are being sent again";
        } else if (strict && inFlight > 0) {
            result = VerifyOutcome.INCOMPLETE;
            reason = inFlight + " chunks changed after the final pass: writes are still reaching the volume "
                    + "(freeze its file system with --freeze, or stop the applications writing to it)";
        } else {
            result = VerifyOutcome.OK;
            reason = inFlight > 0 ? "every settled chunk compared equal; " + inFlight + " chunks were in flight and not compared"
                    : incremental ? "every chunk compared equal: " + compared() + " compared now, the others before and "
                    + "not written since" : "every chunk compared equal";
        }
        done.complete(new VerifyResult(result, reason, out));
    }

    private long compared() {
        long n = 0;
        for (Tally t : tallies) {
            n += t.compared;
        }
        return n;
    }

    @Override
    public void connectionLost() {
        fail("the connection to the target was lost during verification");
    }

    @Override
    public void withdraw(String why) {
        fail("cancelled: " + why);
    }

    /** Completes the job; the agent is free for the next verification at once. */
    void fail(String reason) {
        comparison.clear();
        done.complete(new VerifyResult(VerifyOutcome.FAILED, reason, List.of()));
    }

    @Override
    public boolean isDone() {
        return done.isDone();
    }

    /** Fails the job when its deadline has passed; called on every turn of the agent. */
    @Override
    public void tick(long nowNs) {
        if (timeoutMs > 0 && !done.isDone() && nowNs - deadlineNs >= 0) {
            fail("timed out after " + timeoutMs + " ms");
        }
    }
}
