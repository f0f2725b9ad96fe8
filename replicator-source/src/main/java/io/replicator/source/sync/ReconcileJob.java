package io.replicator.source.sync;

import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.track.Fingerprints;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After an unclean stop (or a state file that cannot be trusted) the local fingerprints may lag
 * behind what the target holds, so they are rebuilt from the target itself: every block is read
 * and hashed (SHA-256) and compared with the target's hash of the same block. An equal block gets
 * its fingerprint back; a differing one is marked dirty (kernel tracker) or forgotten (scan
 * tracker), and only those are sent. Runs before any pass or walk, with nothing in flight; a lost
 * connection restarts it from the first unanswered range. Owned by the sync agent's thread.
 */
final class ReconcileJob {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileJob.class);
    private static final int MAX_PENDING_REQUESTS = 4;

    private record Pending(long requestId, int volume, long firstBlock, byte[][] hashes, long[] fingerprints) {
    }

    private final SyncAgent agent;
    final String reason;
    private final ChunkHashes hashes = new ChunkHashes();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long nextRequestId = 1;
    private int volume;
    private long block;
    long equalBlocks;
    long differingBlocks;
    long answeredBlocks;

    ReconcileJob(SyncAgent agent, String reason) {
        this.agent = agent;
        this.reason = reason;
    }

    boolean wantsStep() {
        return volume < agent.volumes.size() && pending.size() < MAX_PENDING_REQUESTS;
    }

    boolean isDone() {
        return volume >= agent.volumes.size() && pending.isEmpty();
    }

    /** Reads and hashes the next range of blocks and asks the target for the same range. */
    void step() throws IOException {
        VolumeState v = agent.volumes.get(volume);
        if (block >= v.blockCount()) {
            volume++;
            block = 0;
            return;
        }
        int bs = v.blockSize();
        int count = (int) Math.min(VerifyJob.CHUNKS_PER_REQUEST, v.blockCount() - block);
        byte[][] sourceHashes = new byte[count][];
        long[] fingerprints = new long[count];
        agent.readChunks(v, block, count, (i, b, chunk) -> {
            sourceHashes[i] = hashes.hashChunk(chunk);
            fingerprints[i] = Fingerprints.of(chunk);
        });
        long id = nextRequestId++;
        pending.add(new Pending(id, v.index, block, sourceHashes, fingerprints));
        agent.channel.writeAndFlush(new HashRequest(id, v.index, block * bs, bs, count));
        block += count;
        if (block >= v.blockCount()) {
            volume++;
            block = 0;
        }
    }

    void onResponse(HashResponse response) throws IOException {
        Pending p = pending.peekFirst();
        byte[][] targetHashes = response.hashes(); // a copy: taken once, not once per block
        if (p == null || p.requestId() != response.requestId() || targetHashes.length != p.hashes().length) {
            throw new IOException(VerifyJob.unexpectedAnswer(response, p == null ? null : p.requestId()));
        }
        pending.pollFirst();
        VolumeState v = agent.volumes.get(p.volume());
        for (int i = 0; i < p.hashes().length; i++) {
            long b = p.firstBlock() + i;
            if (MessageDigest.isEqual(targetHashes[i], p.hashes()[i])) {
                v.fingerprints.set(b, p.fingerprints()[i]);
                equalBlocks++;
            } else {
                v.fingerprints.set(b, FingerprintStore.UNKNOWN);
                if (v.dirty != null) {
                    v.dirty.mark(b);
                }
                differingBlocks++;
            }
        }
        answeredBlocks += p.hashes().length;
        if (isDone()) {
            for (VolumeState s : agent.volumes) {
                s.cursorBlock = s.blockCount();
            }
            LOG.info("compared every block with the target ({}): {} equal, {} differ and will be sent",
                    reason, equalBlocks, differingBlocks);
        }
    }

    /** The connection was lost: unanswered ranges are asked again after the next handshake. */
    void connectionLost() {
        Pending first = pending.peekFirst();
        if (first != null) {
            volume = first.volume();
            block = first.firstBlock();
            answeredBlocks = answeredBlocksBefore(first.volume(), first.firstBlock());
        }
        pending.clear();
    }

    private long answeredBlocksBefore(int vol, long blk) {
        long sum = blk;
        for (int i = 0; i < vol; i++) {
            sum += agent.volumes.get(i).blockCount();
        }
        return sum;
    }

    long doneBytes() {
        long bytes = 0;
        long left = answeredBlocks;
        for (VolumeState v : agent.volumes) {
            long n = Math.min(left, v.blockCount());
            bytes += Math.min(v.info.sizeBytes(), n * v.blockSize());
            left -= n;
        }
        return bytes;
    }
}
