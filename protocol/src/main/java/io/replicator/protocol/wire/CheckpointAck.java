package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Target to source: the {@link Checkpoint} {@code requestId} is on stable storage (in the journal,
 * with every block before it). {@code launchable} says whether a copy of the volumes can be launched
 * at it; when not, {@code reason} says why (e.g. the initial copy was not complete, or history is
 * being kept without undo after a full journal disk), else it is empty.
 *
 * <pre>
 *  +-----------+-------+-----------+--------+
 *  | requestId | flags | reasonLen | reason |
 *  | u64       | u8    | u16       | UTF-8  |
 *  +-----------+-------+-----------+--------+
 * </pre>
 * Big-endian. {@code flags} bit 0 is {@link #FLAG_LAUNCHABLE}; the other bits must be zero. {@code
 * reason} at most {@link #MAX_REASON_BYTES} bytes. Since v2 with feature {@code JOURNAL}.
 */
public record CheckpointAck(long requestId, boolean launchable, String reason) implements Frame {
    public static final int FLAG_LAUNCHABLE = 0x01;
    public static final int MAX_REASON_BYTES = 1024;

    public CheckpointAck {
        ProtocolException.checkRange("requestId", requestId, 0, Long.MAX_VALUE);
        WireStrings.checkLength("checkpoint ack reason", reason, MAX_REASON_BYTES);
    }

    @Override
    public FrameType type() {
        return FrameType.CHECKPOINT_ACK;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeLong(requestId);
        out.writeByte(launchable ? FLAG_LAUNCHABLE : 0);
        WireStrings.write(out, reason);
    }

    public static CheckpointAck decode(ByteBuf in) {
        WireStrings.need(in, 9, "checkpoint ack requestId and flags");
        long requestId = in.readLong();
        int flags = in.readUnsignedByte();
        if ((flags & ~FLAG_LAUNCHABLE) != 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                    "invalid checkpoint ack flags: 0x%02x (expected: 0x00-0x%02x)", flags, FLAG_LAUNCHABLE));
        }
        String reason = WireStrings.read(in, "checkpoint ack reason", MAX_REASON_BYTES);
        WireStrings.end(in, FrameType.CHECKPOINT_ACK);
        return new CheckpointAck(requestId, (flags & FLAG_LAUNCHABLE) != 0, reason);
    }
}
