package io.replicator.source.sync;

import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.VolumeInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayDeque;

/**
 * The one hash comparison of source and target that {@link VerifyJob} and {@link ReconcileJob}
 * share: every volume in block order (every chunk, or those its {@link Chunks} picks: an incremental
 * verification's unproven ones), a range of chunks at a time (one chunk per block, SHA-256),
 * each range read and hashed here and asked of the target with a {@link HashRequest}, at most
 * {@link #MAX_PENDING_REQUESTS} ranges unanswered. The target answers in order, each answer after
 * it applied every frame sent before the question. What a job makes of each chunk is its
 * {@link Chunks}. Not thread-safe: owned by the sync agent's thread.
 */
final class HashComparison {
    static final int CHUNKS_PER_REQUEST = 256;
    static final int MAX_PENDING_REQUESTS = 4;

    /** What a job notes of each chunk as it is read, and makes of the target's answer. */
    interface Chunks {
        /** Called as {@code chunk}, block {@code block} of volume {@code volume}, is read; the note comes back with the answer. */
        long read(int volume, long block, ByteBuffer chunk) throws IOException;

        /** The target's hash of the block, beside the source's as it was read and the note taken then. */
        void answered(int volume, long block, byte[] sourceHash, byte[] targetHash, boolean equal, long note)
                throws IOException;

        /** The first block of {@code volume} at or after {@code block} to compare, or its block count when none: every block by default. */
        default long next(int volume, long block) {
            return block;
        }

        /** How many blocks from {@code first} to compare in one range of at most {@code max}: all by default. */
        default int rangeBlocks(int volume, long first, int max) {
            return max;
        }

        /** Blocks {@code [first, first + count)} of {@code volume} are about to be read. */
        default void reading(int volume, long first, int count) {
        }

        /** Blocks {@code [first, first + count)} of {@code volume} were asked and will not be answered. */
        default void unanswered(int volume, long first, int count) {
        }
    }

    private record Pending(long requestId, int volume, long firstBlock, byte[][] hashes, long[] notes) {
    }

    private final JobPort port;
    private final Chunks chunks;
    private final ChunkHashes hashes = new ChunkHashes();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long nextRequestId = 1;
    private int volume;
    private long block;
    private long answeredBlocks;

    HashComparison(JobPort port, Chunks chunks) {
        this.port = port;
        this.chunks = chunks;
    }

    boolean wantsStep() {
        return volume < port.volumes().size() && pending.size() < MAX_PENDING_REQUESTS;
    }

    /** Every range was asked and answered. */
    boolean isDone() {
        return volume >= port.volumes().size() && pending.isEmpty();
    }

    /** Reads and hashes the next range of chunks and asks the target for the same range. */
    void step() throws IOException {
        VolumeInfo v = port.volumes().get(volume);
        block = chunks.next(volume, block);
        if (block < v.blockCount()) {
            int bs = v.blockSizeBytes();
            int count = chunks.rangeBlocks(volume, block, (int) Math.min(CHUNKS_PER_REQUEST, v.blockCount() - block));
            byte[][] sourceHashes = new byte[count][];
            long[] notes = new long[count];
            int vol = volume;
            chunks.reading(vol, block, count);
            try {
                port.readChunks(vol, block, count, (i, b, chunk) -> {
                    sourceHashes[i] = hashes.hashChunk(chunk);
                    notes[i] = chunks.read(vol, b, chunk);
                });
            } catch (IOException | RuntimeException e) {
                chunks.unanswered(vol, block, count);
                throw e;
            }
            long id = nextRequestId++;
            pending.add(new Pending(id, vol, block, sourceHashes, notes));
            port.askHashes(new HashRequest(id, vol, block * bs, bs, count));
            block += count;
        }
        if (block >= v.blockCount()) {
            volume++;
            block = 0;
        }
    }

    /**
     * Hands each chunk of the answer to the job, or, when {@code response} answers no question
     * asked (or another one), says so and takes nothing.
     *
     * @return null, or why the answer does not fit
     */
    String answer(HashResponse response) throws IOException {
        Pending p = pending.peekFirst();
        byte[][] targetHashes = response.hashes(); // a copy: taken once, not once per chunk
        if (p == null || p.requestId() != response.requestId() || targetHashes.length != p.hashes().length) {
            return String.format("target answered hash request %d with %d hashes, expected request %s",
                    response.requestId(), targetHashes.length, p == null ? "none" : p.requestId());
        }
        pending.pollFirst();
        for (int i = 0; i < targetHashes.length; i++) {
            byte[] source = p.hashes()[i];
            chunks.answered(p.volume(), p.firstBlock() + i, source, targetHashes[i],
                    MessageDigest.isEqual(targetHashes[i], source), p.notes()[i]);
        }
        answeredBlocks += targetHashes.length;
        return null;
    }

    /** The connection was lost: the unanswered ranges are asked again, from the first, after the next handshake. */
    void rewind() {
        unanswered();
        Pending first = pending.peekFirst();
        if (first != null) {
            volume = first.volume();
            block = first.firstBlock();
            answeredBlocks = block;
            for (int i = 0; i < volume; i++) {
                answeredBlocks += port.volumes().get(i).blockCount();
            }
        }
        pending.clear();
    }

    /** Forgets every unanswered question. */
    void clear() {
        unanswered();
        pending.clear();
    }

    private void unanswered() {
        for (Pending p : pending) {
            chunks.unanswered(p.volume(), p.firstBlock(), p.hashes().length);
        }
    }

    /** Bytes of every volume whose hashes the target has answered. */
    long answeredBytes() {
        long bytes = 0;
        long left = answeredBlocks;
        for (VolumeInfo v : port.volumes()) {
            long n = Math.min(left, v.blockCount());
            bytes += Math.min(v.sizeBytes(), n * v.blockSizeBytes());
            left -= n;
        }
        return bytes;
    }
}
