package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Target to source: every block frame up to and including {@code durableSequence} is on stable
 * storage. Cumulative; sent only after the fsync that made it true.
 *
 * <pre>
 *  +-----------------+
 *  | durableSequence |
 *  | u64             |
 *  +-----------------+
 * </pre>
 * Big-endian. Since v1.
 */
public record Ack(long durableSequence) implements Frame {
    public static final int BODY_LENGTH = 8;

    public Ack {
        ProtocolException.checkRange("durableSequence", durableSequence, 0, Long.MAX_VALUE);
    }

    @Override
    public FrameType type() {
        return FrameType.ACK;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeLong(durableSequence);
    }

    public static Ack decode(ByteBuf in) {
        WireStrings.need(in, BODY_LENGTH, "ack body");
        Ack ack = new Ack(in.readLong());
        WireStrings.end(in, FrameType.ACK);
        return ack;
    }
}
