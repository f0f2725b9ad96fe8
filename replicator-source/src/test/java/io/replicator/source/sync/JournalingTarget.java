package io.replicator.source.sync;

import io.netty.channel.Channel;
import io.replicator.protocol.block.BlockDecoder;
import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Checkpoint;
import io.replicator.protocol.wire.CheckpointAck;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A receiver in memory for the agent's checkpoints: a {@link MemoryLink} whose handler
 * applies each block frame to {@link #image} (decoded and checked, as a receiver would), acknowledges it
 * at once, answers barriers, and, when it offers JOURNAL ({@link #journal}), keeps a copy of the image at
 * each consistent checkpoint and answers it, or drops the link instead ({@link #dropAtCheckpoint}). Runs
 * on the agent's thread (the channel's writes); the test reads what it recorded from its own thread.
 */
final class JournalingTarget implements TargetSession.Connector {
    /** What arrived, in order: a block frame's sequence, or a checkpoint. */
    record Arrival(long blockSequence, Checkpoint checkpoint, byte[] imageAtCheckpoint) {
    }

    private final Consumer<LinkEvent> inbox;
    final byte[] image;
    final boolean journal;
    final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    private final BlockDecoder decoder = new BlockDecoder();
    private final ByteBuffer plain = ByteBuffer.allocate(1 << 20);
    private long lastSequence;
    volatile boolean dropAtCheckpoint;

    JournalingTarget(Consumer<LinkEvent> inbox, long sizeBytes, boolean journal) {
        this.inbox = inbox;
        this.image = new byte[Math.toIntExact(sizeBytes)];
        this.journal = journal;
    }

    @Override
    public Channel connect(InetSocketAddress target) {
        return MemoryLink.open(inbox, (ch, msg) -> answer(ch, (Frame) msg));
    }

    private void answer(Channel ch, Frame msg) {
        if (msg instanceof Hello) {
            long features = ProtocolVersion.SUPPORTED_FEATURES | (journal ? ProtocolVersion.FEATURE_JOURNAL : 0);
            reply(ch, new HelloAck(ProtocolVersion.MAX_SUPPORTED, ProtocolVersion.MIN_SUPPORTED,
                    ProtocolVersion.MAX_SUPPORTED, features, lastSequence));
        } else if (msg instanceof BlockFrame frame) {
            ByteBuffer bytes = decoder.decode(frame, plain);
            bytes.get(image, Math.toIntExact(frame.offset()), bytes.remaining());
            lastSequence = frame.sequence();
            arrivals.add(new Arrival(frame.sequence(), null, null));
            reply(ch, new Ack(lastSequence));
        } else if (msg instanceof HashRequest q) {
            ChunkHashes hashes = new ChunkHashes();
            byte[][] out = new byte[q.count()][];
            for (int i = 0; i < q.count(); i++) {
                out[i] = hashes.hashChunk(ByteBuffer.wrap(image, Math.toIntExact(q.offset()) + i * q.chunkSizeBytes(),
                        q.chunkSizeBytes()));
            }
            reply(ch, new HashResponse(q.requestId(), q.volume(), q.offset(), q.chunkSizeBytes(), out));
        } else if (msg instanceof Barrier barrier) {
            reply(ch, new BarrierAck(barrier.barrierId(), lastSequence));
        } else if (msg instanceof Checkpoint c) {
            boolean consistent = c.kind() == Checkpoint.Kind.CONSISTENT;
            arrivals.add(new Arrival(-1, c, consistent ? image.clone() : null));
            if (consistent && dropAtCheckpoint) {
                inbox.accept(new LinkEvent.Closed(ch, new IOException("the receiver dropped the link")));
            } else if (consistent) {
                reply(ch, new CheckpointAck(c.requestId(), true, ""));
            }
        }
    }

    private void reply(Channel ch, Frame frame) {
        inbox.accept(new LinkEvent.Received(ch, frame));
    }

    /** The consistent checkpoints that arrived, in order. */
    List<Arrival> checkpoints(Checkpoint.Kind kind) {
        return arrivals.stream().filter(a -> a.checkpoint() != null && a.checkpoint().kind() == kind).toList();
    }

    @Override
    public void close() {
    }
}
