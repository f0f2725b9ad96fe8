package io.replicator.target.net;

import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import java.util.List;

/**
 * The cheap checks a frame passes on the event loop before it is queued for applying: the volume
 * exists, the range lies inside it and on block boundaries (one block, or a run of blocks when
 * both sides use {@link ProtocolVersion#FEATURE_BLOCK_RUNS}), sequences only grow. A failure is a
 * {@link ProtocolException} naming the value and the bound. Not thread-safe: owned by one
 * session's event loop.
 */
final class FrameChecks {
    private final List<VolumeInfo> volumes;
    private final boolean blockRuns;
    private final boolean cutoverSeal;
    private final boolean journal;
    private long durableSequence;
    private long lastSequence;

    /** @param features the features both sides use ({@link ProtocolVersion#FEATURE_BLOCK_RUNS} allows runs of blocks) */
    FrameChecks(List<VolumeInfo> volumes, long features) {
        this.volumes = volumes;
        this.blockRuns = (features & ProtocolVersion.FEATURE_BLOCK_RUNS) != 0;
        this.cutoverSeal = (features & ProtocolVersion.FEATURE_CUTOVER_SEAL) != 0;
        this.journal = (features & ProtocolVersion.FEATURE_JOURNAL) != 0;
    }

    /** Blocks must come after {@code durableSequence}, the highest one the progress file holds. */
    void resumeFrom(long durableSequence) {
        this.durableSequence = durableSequence;
        this.lastSequence = durableSequence;
    }

    void checkBlock(BlockFrame frame) {
        String what = "block seq=" + frame.sequence();
        VolumeInfo volume = volume(frame.volume(), what);
        long end = frame.offset() + frame.length();
        if (end > volume.sizeBytes()) {
            throw new ProtocolException(ErrorCode.OUT_OF_RANGE, String.format(
                    "%s of volume %s: bytes %d-%d lie outside the volume (expected: end <= %d)",
                    what, volume.name(), frame.offset(), end, volume.sizeBytes()));
        }
        if (frame.offset() % volume.blockSizeBytes() != 0) {
            throw new ProtocolException(ErrorCode.OUT_OF_RANGE, String.format(
                    "%s of volume %s: offset %d is not a multiple of the block size %d",
                    what, volume.name(), frame.offset(), volume.blockSizeBytes()));
        }
        if (!blockRuns && frame.length() > volume.blockSizeBytes()) {
            throw new ProtocolException(ErrorCode.OUT_OF_RANGE, String.format(
                    "%s of volume %s: length %d exceeds the block size (expected: 1-%d)",
                    what, volume.name(), frame.length(), volume.blockSizeBytes()));
        }
        if (blockRuns && end != volume.sizeBytes() && end % volume.blockSizeBytes() != 0) {
            throw new ProtocolException(ErrorCode.OUT_OF_RANGE, String.format(
                    "%s of volume %s: a run of blocks must end on a block boundary or at the volume's end: "
                    + "end %d (block size %d, volume size %d)",
                    what, volume.name(), end, volume.blockSizeBytes(), volume.sizeBytes()));
        }
        if (frame.sequence() <= lastSequence) {
            String after = lastSequence == durableSequence
                    ? "the durable sequence " + durableSequence : "the last block received, " + lastSequence;
            throw new ProtocolException(ErrorCode.BAD_SEQUENCE, String.format(
                    "block sequence %d is not above %s (expected: > %d)", frame.sequence(), after, lastSequence));
        }
        lastSequence = frame.sequence();
    }

    void checkHash(HashRequest request) {
        VolumeInfo volume = volume(request.volume(), "hash request " + request.requestId());
        long lastChunkStart = request.offset() + (long) (request.count() - 1) * request.chunkSizeBytes();
        if (lastChunkStart >= volume.sizeBytes()) {
            throw new ProtocolException(ErrorCode.OUT_OF_RANGE, String.format(
                    "hash request %d of volume %s: %d chunks of %d bytes from offset %d reach past the volume's "
                            + "%d bytes (expected: last chunk start < %d)", request.requestId(), volume.name(),
                    request.count(), request.chunkSizeBytes(), request.offset(), volume.sizeBytes(),
                    volume.sizeBytes()));
        }
    }

    void checkBarrier(Barrier barrier) {
        if (barrier.sequence() > lastSequence) {
            throw new ProtocolException(ErrorCode.BAD_SEQUENCE, String.format(
                    "barrier %d names sequence %d but the last block received is %d (expected: <= %d)",
                    barrier.barrierId(), barrier.sequence(), lastSequence, lastSequence));
        }
    }

    /** A checkpoint comes only in a session that negotiated {@link ProtocolVersion#FEATURE_JOURNAL}, after the blocks it names. */
    void checkCheckpoint(Checkpoint checkpoint) {
        if (!journal) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, String.format("checkpoint %d in a session without "
                    + "feature JOURNAL (the HELLO did not offer it)", checkpoint.checkpointId()));
        }
        if (checkpoint.sequence() > lastSequence) {
            throw new ProtocolException(ErrorCode.BAD_SEQUENCE, String.format("checkpoint %d names sequence %d but the "
                    + "last block received is %d (expected: <= %d)", checkpoint.checkpointId(), checkpoint.sequence(),
                    lastSequence, lastSequence));
        }
    }

    /** A cutover report comes only in a session that negotiated {@link ProtocolVersion#FEATURE_CUTOVER_SEAL}. */
    void checkReport(CutoverReport report) {
        if (!cutoverSeal) {
            throw new ProtocolException(ErrorCode.UNEXPECTED_FRAME, String.format("cutover report %s in a session "
                    + "without feature CUTOVER_SEAL (the HELLO did not offer it)", report.reportId()));
        }
    }

    private VolumeInfo volume(int index, String what) {
        if (index >= volumes.size()) {
            throw new ProtocolException(ErrorCode.UNKNOWN_VOLUME, String.format(
                    "%s names volume index %d (expected: 0-%d, the volumes declared in HELLO)",
                    what, index, volumes.size() - 1));
        }
        return volumes.get(index);
    }
}
