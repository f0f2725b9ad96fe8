package io.replicator.source.sync;

import io.replicator.protocol.block.BlockEncoder;
import io.replicator.protocol.block.ZeroCheck;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.SourceMetrics;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.track.Fingerprints;
import io.replicator.source.volume.SourceVolume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The way from a block read to a frame on the wire: each block a change source read is
 * {@linkplain #consider considered} (sent only when the target neither holds nor has in flight
 * these bytes), joins the pending {@link BlockRun}, and the run is encoded (LZ4 or zero) as one
 * frame, sequenced by the {@link TargetSession} and put in flight. The window ({@link #canSend})
 * bounds what is in flight by bytes on the wire and by blocks; a rate limit hooks in there. Blocks
 * lost with a link go out again first ({@link #resendOne}). Not thread-safe: owned by the sync
 * agent's thread.
 */
final class SendPipeline {
    /** Bytes read from a volume at once. */
    static final int UNIT_BYTES = 1 << 20;
    /**
     * Blocks in flight at most, whatever {@code maxInFlightBytes} (which counts bytes on the wire, so
     * that zero ranges, which cost nothing there, do not hold the window): bounds the heap.
     */
    static final int MAX_IN_FLIGHT_BLOCKS = 1 << 16;

    private final List<VolumeState> volumes;
    private final TargetSession session;
    private final SourceMetrics metrics;
    private final long maxInFlightBytes;
    private final FlowControl flow;
    private final BlockEncoder encoder = new BlockEncoder();
    /** Blocks decided on and not yet sent: always empty between two steps. */
    private final BlockRun run = new BlockRun();
    /** The buffer a read unit lands in (a walk's scattered ranges, a resent block, a job's chunks). */
    private final ByteBuffer unit = SourceVolume.allocateAligned(Math.max(UNIT_BYTES, VolumeInfo.MAX_BLOCK_SIZE));

    SendPipeline(List<VolumeState> volumes, TargetSession session, SourceMetrics metrics, long maxInFlightBytes,
                 FlowControl flow) {
        this.volumes = volumes;
        this.flow = flow;
        this.session = session;
        this.metrics = metrics;
        this.maxInFlightBytes = maxInFlightBytes;
    }

    /**
     * Whether the window takes another frame: connected, the link writable, room in flight, and the
     * {@link FlowControl} lets it (not paused, within the bandwidth limit).
     */
    boolean canSend() {
        HeldFrames held = session.held();
        if (held != null) {
            return session.connected() && held.hasRoom(); // a checkpoint's capture: its own bound, nothing on the wire
        }
        InFlight inFlight = session.inFlight();
        return session.writable() && inFlight.bytes() < maxInFlightBytes && inFlight.size() < MAX_IN_FLIGHT_BLOCKS
                && flow.allows(System.nanoTime());
    }

    /** The read unit's buffer, for a read whose blocks are considered before the next read. */
    ByteBuffer unit() {
        return unit;
    }

    /** Reads and sends the block waiting longest to be resent; it goes in flight with its first read time. */
    void resendOne() throws IOException {
        InFlight.Entry lost = session.resend().poll();
        VolumeState v = volumes.get(lost.volume());
        int bs = v.blockSize();
        ByteBuffer data = v.volume.read(lost.block() * bs, bs, unit);
        consider(v, lost.block(), data, 0, data.remaining(), false, true);
        sendRun(lost.readNs());
    }

    /** Reads blocks {@code [firstBlock, firstBlock + count)} of volume {@code volume}, a read unit at a time. */
    void readChunks(int volume, long firstBlock, int count, JobPort.ChunkVisitor visitor) throws IOException {
        VolumeState v = volumes.get(volume);
        int bs = v.blockSize();
        int perUnit = Math.max(1, UNIT_BYTES / bs);
        for (int first = 0; first < count; first += perUnit) {
            int n = Math.min(perUnit, count - first);
            ByteBuffer data = v.volume.read((firstBlock + first) * bs, n * bs, unit);
            metrics.read(data.remaining());
            for (int i = 0; i < n; i++) {
                visitor.visit(first + i, firstBlock + first + i, data.slice(i * bs, Math.min(bs, data.limit() - i * bs)));
            }
        }
    }

    /**
     * Sends {@code data} as {@code block} if the target neither holds nor has in flight these bytes,
     * or always when {@code unknownOnTarget}: a block that was in flight when the connection was lost
     * may have been applied by a target that died before acknowledging it, so the target may hold
     * bytes other than the committed fingerprint says, even when the volume went back to those.
     * The block is bytes {@code [position, position + length)} of {@code source}; it joins the
     * pending {@link BlockRun}, which {@link #sendRun} sends before {@code source} is reused. With
     * {@code observeOnly} (after the cutover) a changed block is only counted.
     *
     * @return whether the block differed from what the target holds or has in flight
     */
    boolean consider(VolumeState v, long block, ByteBuffer source, int position, int length,
                     boolean observeOnly, boolean unknownOnTarget) throws IOException {
        ByteBuffer bytes = source.slice(position, length);
        long fingerprint = Fingerprints.of(bytes);
        InFlight.Entry latest = session.inFlight().latest(v.index, block);
        long committed = v.fingerprints.get(block);
        long held = latest != null ? latest.fingerprint() : committed;
        if (held == fingerprint && !unknownOnTarget) {
            return false;
        }
        if (observeOnly) {
            v.observedChangedBlocks++;
            return true;
        }
        boolean changed = committed != FingerprintStore.UNKNOWN;
        if (changed) {
            v.changedBytesFound += length;
            v.passChangedBytes += length;
        }
        boolean zero = ZeroCheck.isAllZero(bytes);
        int maxRunBytes = session.blockRuns() ? ProtocolVersion.MAX_RUN_BYTES : v.blockSize();
        if (!run.tryAdd(v.index, block, source, position, length, zero, fingerprint, changed, maxRunBytes)) {
            sendRun();
            run.tryAdd(v.index, block, source, position, length, zero, fingerprint, changed, maxRunBytes);
        }
        return true;
    }

    /** Sends the pending run of blocks as one frame and puts each of its blocks in flight, read now. */
    void sendRun() {
        sendRun(System.nanoTime());
    }

    /**
     * Sends the pending run of blocks as one frame and puts each of its blocks in flight as read at
     * {@code readNs}: now, or for a block sent again, when its change was first read.
     */
    private void sendRun(long readNs) {
        if (run.isEmpty()) {
            return;
        }
        VolumeState v = volumes.get(run.volume());
        ByteBuffer data = run.bytes();
        long sequence = session.takeSequence();
        BlockFrame frame = encoder.encode(v.index, sequence, run.firstBlock() * v.blockSize(), data, run.isZero(),
                session.alloc());
        int payload = frame.payload().readableBytes();
        for (int i = 0; i < run.count(); i++) {
            session.inFlight().add(new InFlight.Entry(sequence, v.index, run.firstBlock() + i, run.fingerprint(i),
                    run.length(i), i == 0 ? BlockFrame.HEADER_LENGTH + payload : 0, run.changed(i), readNs));
        }
        run.clear();
        v.sentPayloadBytes += payload;
        v.sentPlainBytes += data.remaining();
        flow.sent(BlockFrame.HEADER_LENGTH + payload);
        metrics.sent(frame.encoding(), data.remaining(), payload);
        session.write(frame, payload);
    }

    /** Payload bytes put on the wire since the daemon started, over all volumes. */
    long sentPayloadBytes() {
        long sum = 0;
        for (VolumeState v : volumes) {
            sum += v.sentPayloadBytes;
        }
        return sum;
    }
}
