package io.replicator.source.sync;

import io.replicator.protocol.wire.HashResponse;
import io.replicator.source.track.Fingerprints;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After an unclean stop (or a state file that cannot be trusted) the local fingerprints may lag
 * behind what the target holds, so they are rebuilt from the target itself: every block is read
 * and hashed (SHA-256) and compared with the target's hash of the same block
 * ({@link HashComparison}). An equal block gets its fingerprint back; a differing one is marked
 * dirty (kernel tracker) or forgotten (scan tracker), and only those are sent. Runs before any
 * pass or walk, with nothing in flight; a lost connection restarts it from the first unanswered
 * range. Owned by the sync agent's thread.
 */
final class ReconcileJob implements Job, HashComparison.Chunks {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileJob.class);

    private final JobPort port;
    final String reason;
    private final HashComparison comparison;
    long equalBlocks;
    long differingBlocks;

    ReconcileJob(JobPort port, String reason) {
        this.port = port;
        this.reason = reason;
        this.comparison = new HashComparison(port, this);
    }

    @Override
    public boolean wantsStep() {
        return comparison.wantsStep();
    }

    @Override
    public boolean isDone() {
        return comparison.isDone();
    }

    /** Reads and hashes the next range of blocks and asks the target for the same range. */
    @Override
    public void step() throws IOException {
        comparison.step();
    }

    @Override
    public long read(int volume, long block, ByteBuffer chunk) {
        return Fingerprints.of(chunk);
    }

    /** An answer that fits no question asked stops the agent: the fingerprints could not be trusted. */
    @Override
    public void onHashes(HashResponse response) throws IOException {
        String unexpected = comparison.answer(response);
        if (unexpected != null) {
            throw new IOException(unexpected);
        }
        if (isDone()) {
            port.initialCopyDone();
            LOG.info("compared every block with the target ({}): {} equal, {} differ and will be sent",
                    reason, equalBlocks, differingBlocks);
        }
    }

    @Override
    public void answered(int volume, long block, byte[] sourceHash, byte[] targetHash, boolean equal, long fingerprint)
            throws IOException {
        if (equal) {
            port.targetHolds(volume, block, fingerprint);
            equalBlocks++;
        } else {
            port.targetDiffers(volume, block);
            differingBlocks++;
        }
    }

    /** The connection was lost: unanswered ranges are asked again after the next handshake. */
    @Override
    public void connectionLost() {
        comparison.rewind();
    }

    /** Nobody asked for it, so nobody withdraws it. */
    @Override
    public void withdraw(String why) {
    }

    long doneBytes() {
        return comparison.answeredBytes();
    }
}
