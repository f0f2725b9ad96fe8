package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Source to target, in a connection that negotiated {@link ProtocolVersion#FEATURE_JOURNAL}: a point
 * in the source's history. Every block frame up to {@code sequence} was sent before it.
 * <ul>
 *   <li>{@link Kind#INITIAL_COPY_DONE}: the source's initial full copy of every volume is complete;
 *   from here on each block is a change, which the target journals before it reaches the volumes.
 *   Not launchable (the file systems were not quiet).</li>
 *   <li>{@link Kind#CONSISTENT}: the source's file systems were frozen at {@code timeMs} for
 *   {@code freezeMs}, and {@code sequence} is the last block captured while they were: the volumes
 *   as of this frame are a state the file systems were in. Launchable once journaled.</li>
 * </ul>
 * The target answers {@link CheckpointAck} once the point is on stable storage.
 *
 * <pre>
 *  +-----------+------+--------------+----------+--------+----------+----------+-------+
 *  | requestId | kind | checkpointId | sequence | timeMs | freezeMs | labelLen | label |
 *  | u64       | u8   | u64          | u64      | u64    | u32      | u16      | UTF-8 |
 *  +-----------+------+--------------+----------+--------+----------+----------+-------+
 * </pre>
 * Big-endian. {@code checkpointId} is the source's own number for the point, increasing; {@code
 * timeMs} UTC milliseconds since the epoch; {@code label} at most {@link #MAX_LABEL_BYTES} bytes
 * (empty for none). Since v2 with feature {@code JOURNAL}.
 */
public record Checkpoint(long requestId, Kind kind, long checkpointId, long sequence, long timeMs, long freezeMs,
                         String label) implements Frame {
    public static final int MAX_LABEL_BYTES = 256;
    /** The fixed part of the body, before the label's bytes. */
    static final int FIXED_LENGTH = 8 + 1 + 8 + 8 + 8 + 4 + 2;

    /** What the point is. Codes are on the wire and never change. */
    public enum Kind {
        INITIAL_COPY_DONE(1),
        CONSISTENT(2);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        static Kind forCode(int code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    String.format("invalid checkpoint kind: %d (expected: 1-%d)", code, values().length));
        }
    }

    public Checkpoint {
        ProtocolException.checkRange("requestId", requestId, 0, Long.MAX_VALUE);
        ProtocolException.checkRange("checkpointId", checkpointId, 0, Long.MAX_VALUE);
        ProtocolException.checkRange("sequence", sequence, 0, Long.MAX_VALUE);
        ProtocolException.checkRange("timeMs", timeMs, 0, Long.MAX_VALUE);
        ProtocolException.checkRange("freezeMs", freezeMs, 0, 0xFFFF_FFFFL);
        if (kind == null) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "invalid checkpoint kind: null");
        }
        WireStrings.checkLength("checkpoint label", label, MAX_LABEL_BYTES);
    }

    @Override
    public FrameType type() {
        return FrameType.CHECKPOINT;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeLong(requestId);
        out.writeByte(kind.code());
        out.writeLong(checkpointId);
        out.writeLong(sequence);
        out.writeLong(timeMs);
        out.writeInt((int) freezeMs);
        WireStrings.write(out, label);
    }

    public static Checkpoint decode(ByteBuf in) {
        WireStrings.need(in, FIXED_LENGTH - 2, "checkpoint body");
        long requestId = in.readLong();
        Kind kind = Kind.forCode(in.readUnsignedByte());
        long checkpointId = in.readLong();
        long sequence = in.readLong();
        long timeMs = in.readLong();
        long freezeMs = in.readUnsignedInt();
        String label = WireStrings.read(in, "checkpoint label", MAX_LABEL_BYTES);
        WireStrings.end(in, FrameType.CHECKPOINT);
        return new Checkpoint(requestId, kind, checkpointId, sequence, timeMs, freezeMs, label);
    }
}
