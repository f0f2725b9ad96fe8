package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * The target's answer to {@link Hello}: the version and features both use, and the highest
 * sequence number of this source that is durable on the target, from which the source resumes.
 *
 * <pre>
 *  +---------+---------+---------+---------+----------+-----------------+
 *  | magic   | version | minVer  | maxVer  | features | durableSequence |
 *  | u32     | u16     | u16     | u16     | u64      | u64             |
 *  +---------+---------+---------+---------+----------+-----------------+
 * </pre>
 * All integers big-endian; {@code 1 <= minVer <= version <= maxVer}. Since v1.
 */
public record HelloAck(int version, int minVersion, int maxVersion, long features, long durableSequence)
        implements Frame {
    public static final int BODY_LENGTH = 4 + 2 + 2 + 2 + 8 + 8;

    public HelloAck {
        ProtocolVersion.checkRange(minVersion, maxVersion);
        ProtocolException.checkRange("version", version, minVersion, maxVersion);
        ProtocolException.checkRange("durableSequence", durableSequence, 0, Long.MAX_VALUE);
    }

    @Override
    public FrameType type() {
        return FrameType.HELLO_ACK;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeInt(ProtocolVersion.MAGIC);
        out.writeShort(version);
        out.writeShort(minVersion);
        out.writeShort(maxVersion);
        out.writeLong(features);
        out.writeLong(durableSequence);
    }

    public static HelloAck decode(ByteBuf in) {
        WireStrings.need(in, BODY_LENGTH, "hello-ack body");
        ProtocolVersion.checkMagic(in.readInt());
        HelloAck ack = new HelloAck(in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort(),
                in.readLong(), in.readLong());
        WireStrings.end(in, FrameType.HELLO_ACK);
        return ack;
    }
}
