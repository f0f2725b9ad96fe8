package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Source to target: hash {@code count} chunks of {@code chunkSizeBytes} starting at {@code offset}
 * of a volume (the last chunk clipped at the volume's end). The target answers after applying
 * every block frame sent before the request, so the answer describes exactly that prefix.
 *
 * <pre>
 *  +-----------+--------+--------+----------------+-------+
 *  | requestId | volume | offset | chunkSizeBytes | count |
 *  | u64       | u16    | u64    | u32            | u32   |
 *  +-----------+--------+--------+----------------+-------+
 * </pre>
 * Big-endian. {@code chunkSizeBytes} follows the block-size rules of {@link VolumeInfo}; {@code
 * count} is 1 to {@link #MAX_CHUNKS}. Since v1.
 */
public record HashRequest(long requestId, int volume, long offset, int chunkSizeBytes, int count) implements Frame {
    public static final int BODY_LENGTH = 8 + 2 + 8 + 4 + 4;
    public static final int MAX_CHUNKS = 4096;

    public HashRequest {
        ProtocolException.checkRange("requestId", requestId, 0, Long.MAX_VALUE);
        ProtocolException.checkRange("volume", volume, 0, Hello.MAX_VOLUMES - 1);
        ProtocolException.checkRange("offset", offset, 0, VolumeInfo.MAX_VOLUME_SIZE - 1);
        VolumeInfo.checkBlockSize("chunkSizeBytes", chunkSizeBytes);
        ProtocolException.checkRange("count", count, 1, MAX_CHUNKS);
    }

    @Override
    public FrameType type() {
        return FrameType.HASH_REQUEST;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeLong(requestId);
        out.writeShort(volume);
        out.writeLong(offset);
        out.writeInt(chunkSizeBytes);
        out.writeInt(count);
    }

    public static HashRequest decode(ByteBuf in) {
        WireStrings.need(in, BODY_LENGTH, "hash-request body");
        HashRequest r = new HashRequest(in.readLong(), in.readUnsignedShort(), in.readLong(), in.readInt(),
                in.readInt());
        WireStrings.end(in, FrameType.HASH_REQUEST);
        return r;
    }
}
