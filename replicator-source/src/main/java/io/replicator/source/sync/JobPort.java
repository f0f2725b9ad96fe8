package io.replicator.source.sync;

import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.cutover.CutoverRecord;
import io.replicator.source.cutover.FreezeGuard;
import io.replicator.source.cutover.FreezeRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * All a {@link Job} sees of the sync agent: send a barrier, ask for hashes, wait for durability,
 * read the replication's state, and the few things a job's outcome changes. Jobs hold this port,
 * never the agent's fields. Agent's thread only.
 */
interface JobPort {
    /** What {@link #readChunks} hands over: the chunk's index in the range, its block, its bytes. */
    @FunctionalInterface
    interface ChunkVisitor {
        void visit(int index, long block, ByteBuffer chunk) throws IOException;
    }

    // ---- read the state

    List<VolumeInfo> volumes();

    String sourceId();

    /** Whether the target is connected and has answered the handshake. */
    boolean connected();

    String hostPort();

    /** Why the target refused or could not be reached last, or null. */
    String lastError();

    /** Whether the source is still comparing every block with the target after an unclean stop. */
    boolean reconciling();

    /** What is known changed and not yet durable on the target, over all volumes. */
    long backlogBytes();

    /** How fast the target makes data durable, or 0 when not measured yet. */
    double drainBytesPerSecond();

    int inFlightBlocks();

    long inFlightBytes();

    int resendBlocks();

    long sentPayloadBytes();

    /** Payload bytes sent of volume {@code volume} since the daemon started. */
    long sentPayloadBytes(int volume);

    /** Whether the receiver negotiated the cutover's report and seal (feature CUTOVER_SEAL). */
    boolean sealSupported();

    /** The sequence of the last frame sent. */
    long lastSequenceSent();

    FreezeRecord freezeRecord();

    // ---- ask for hashes

    /** Reads blocks {@code [firstBlock, firstBlock + count)} of volume {@code volume}, a read unit at a time. */
    void readChunks(int volume, long firstBlock, int count, ChunkVisitor visitor) throws IOException;

    void askHashes(HashRequest request);

    /** Whether the target holds exactly {@code chunk} as this block: fingerprint committed and equal, nothing in flight or to resend. */
    boolean settledOnTarget(int volume, long block, ByteBuffer chunk) throws IOException;

    /** The target holds this block with bytes of {@code fingerprint}. */
    void targetHolds(int volume, long block, long fingerprint) throws IOException;

    /** The target holds other bytes than the source for this block: it is sent again. */
    void targetDiffers(int volume, long block) throws IOException;

    /** Every block's fingerprint is known from the target: the initial copy has nothing left to read. */
    void initialCopyDone();

    /** Hands the agent {@code verify}, a cutover's own verification, to run and feed with hashes. */
    void compare(VerifyJob verify);

    // ---- send a barrier, wait for durability

    /** Sends barrier {@code barrierId} behind every frame sent so far. */
    void sendBarrier(long barrierId);

    /** Asks for a fresh look at every volume: a pass (scan tracker) or a catch-up and walk (kernel tracker). */
    void requestPass();

    /** Nothing is in flight or waiting to be resent, and a pass or walk that started at or after {@code sinceNs} has finished. */
    boolean drainedSince(long sinceNs);

    /** Sends the cutover's report (with the seal when {@code seal}) behind every frame sent so far; returns its request id. */
    long sendReport(boolean seal, String reportId, String json, String markdown);

    /** The cutover is sealed: from now on writes are observed and reported, not replicated; {@code record} is kept. */
    void cutOver(CutoverRecord record);

    // ---- a checkpoint

    /** Whether the receiver journals changes and keeps checkpoints (feature JOURNAL). */
    boolean journalSupported();

    /** Whether the initial copy of every volume is complete (every block known on the target). */
    boolean initialCopyComplete();

    /** A pass or walk that started at or after {@code sinceNs} has finished (what is in flight may not be durable yet). */
    boolean coveredSince(long sinceNs);

    /**
     * As {@link #requestPass}, but a pass of the scan tracker that runs now is dropped first (its blocks are
     * read again by the new one): what the file systems hold now is read without waiting for the old pass.
     */
    void requestFreshPass();

    /** Block frames from now on are sequenced and put in flight but kept in memory, at most {@code maxBytes}. */
    void holdFrames(long maxBytes);

    /** The frames held now, or null. */
    HeldFrames heldFrames();

    /** Writes the held frames, then {@code after} (may be null), and stops holding. */
    void releaseHeld(io.replicator.protocol.wire.Frame after);

    /** Has the agent take a turn now (another thread saw something happen). Any thread. */
    void wake();

    /** The sealed cutover keeps {@code guard}'s file systems frozen, since {@code frozenSinceNs}, for at most {@code maxFrozenMs}. */
    void keepFrozen(FreezeGuard guard, long frozenSinceNs, long maxFrozenMs);
}
