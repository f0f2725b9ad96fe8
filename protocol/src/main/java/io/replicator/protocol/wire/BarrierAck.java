package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Target to source: the barrier {@code barrierId} passed, and everything up to {@code
 * durableSequence} (at least the barrier's sequence) is on stable storage.
 *
 * <pre>
 *  +-----------+-----------------+
 *  | barrierId | durableSequence |
 *  | u64       | u64             |
 *  +-----------+-----------------+
 * </pre>
 * Big-endian. Since v1.
 */
public record BarrierAck(long barrierId, long durableSequence) implements Frame {
    public static final int BODY_LENGTH = 16;

    public BarrierAck {
        ProtocolException.checkRange("barrierId", barrierId, 0, Long.MAX_VALUE);
        ProtocolException.checkRange("durableSequence", durableSequence, 0, Long.MAX_VALUE);
    }

    @Override
    public FrameType type() {
        return FrameType.BARRIER_ACK;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeLong(barrierId);
        out.writeLong(durableSequence);
    }

    public static BarrierAck decode(ByteBuf in) {
        WireStrings.need(in, BODY_LENGTH, "barrier-ack body");
        BarrierAck ack = new BarrierAck(in.readLong(), in.readLong());
        WireStrings.end(in, FrameType.BARRIER_ACK);
        return ack;
    }
}
