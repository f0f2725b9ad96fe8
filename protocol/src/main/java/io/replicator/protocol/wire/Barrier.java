package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Source to target: the final-sync barrier. Every block frame up to {@code sequence} was sent
 * before it; the target answers with {@link BarrierAck} once all of them are durable.
 *
 * <pre>
 *  +-----------+----------+
 *  | barrierId | sequence |
 *  | u64       | u64      |
 *  +-----------+----------+
 * </pre>
 * Big-endian. Since v1.
 */
public record Barrier(long barrierId, long sequence) implements Frame {
    public static final int BODY_LENGTH = 16;

    public Barrier {
        ProtocolException.checkRange("barrierId", barrierId, 0, Long.MAX_VALUE);
        ProtocolException.checkRange("sequence", sequence, 0, Long.MAX_VALUE);
    }

    @Override
    public FrameType type() {
        return FrameType.BARRIER;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeLong(barrierId);
        out.writeLong(sequence);
    }

    public static Barrier decode(ByteBuf in) {
        WireStrings.need(in, BODY_LENGTH, "barrier body");
        Barrier barrier = new Barrier(in.readLong(), in.readLong());
        WireStrings.end(in, FrameType.BARRIER);
        return barrier;
    }
}
