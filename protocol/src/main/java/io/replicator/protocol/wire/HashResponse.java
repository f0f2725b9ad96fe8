package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * Target to source: the SHA-256 of each chunk a {@link HashRequest} named, in order.
 *
 * <pre>
 *  +-----------+--------+--------+----------------+-------+----------------------+
 *  | requestId | volume | offset | chunkSizeBytes | count | count x 32-byte hash |
 *  | u64       | u16    | u64    | u32            | u32   |                      |
 *  +-----------+--------+--------+----------------+-------+----------------------+
 * </pre>
 * Big-endian. Since v1. Immutable: the hashes are copied in and out, and equality compares their
 * bytes.
 */
public record HashResponse(long requestId, int volume, long offset, int chunkSizeBytes, byte[][] hashes)
        implements Frame {
    public static final int HASH_LENGTH = 32;
    public static final int HEADER_LENGTH = HashRequest.BODY_LENGTH;

    public HashResponse {
        hashes = copy(hashes);
        ProtocolException.checkRange("requestId", requestId, 0, Long.MAX_VALUE);
        ProtocolException.checkRange("volume", volume, 0, Hello.MAX_VOLUMES - 1);
        ProtocolException.checkRange("offset", offset, 0, VolumeInfo.MAX_VOLUME_SIZE - 1);
        VolumeInfo.checkBlockSize("chunkSizeBytes", chunkSizeBytes);
        ProtocolException.checkRange("count", hashes.length, 1, HashRequest.MAX_CHUNKS);
        for (byte[] h : hashes) {
            ProtocolException.checkRange("hash length", h.length, HASH_LENGTH, HASH_LENGTH);
        }
    }

    /** A copy of the chunk hashes, in order. */
    @Override
    public byte[][] hashes() {
        return copy(hashes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashResponse r && requestId == r.requestId && volume == r.volume && offset == r.offset
                && chunkSizeBytes == r.chunkSizeBytes && Arrays.deepEquals(hashes, r.hashes);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(requestId, volume, offset, chunkSizeBytes) + Arrays.deepHashCode(hashes);
    }

    @Override
    public String toString() {
        return String.format("HashResponse(requestId=%d, volume=%d, offset=%d, chunkSizeBytes=%d, count=%d)",
                requestId, volume, offset, chunkSizeBytes, hashes.length);
    }

    private static byte[][] copy(byte[][] hashes) {
        byte[][] copy = new byte[hashes.length][];
        for (int i = 0; i < hashes.length; i++) {
            copy[i] = hashes[i].clone();
        }
        return copy;
    }

    @Override
    public FrameType type() {
        return FrameType.HASH_RESPONSE;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        out.writeLong(requestId);
        out.writeShort(volume);
        out.writeLong(offset);
        out.writeInt(chunkSizeBytes);
        out.writeInt(hashes.length);
        for (byte[] h : hashes) {
            out.writeBytes(h);
        }
    }

    public static HashResponse decode(ByteBuf in) {
        WireStrings.need(in, HEADER_LENGTH, "hash-response header");
        long requestId = in.readLong();
        int volume = in.readUnsignedShort();
        long offset = in.readLong();
        int chunkSize = in.readInt();
        long count = ProtocolException.checkRange("count", in.readUnsignedInt(), 1, HashRequest.MAX_CHUNKS);
        ProtocolException.checkRange("hash bytes", in.readableBytes(), count * HASH_LENGTH, count * HASH_LENGTH);
        byte[][] hashes = new byte[(int) count][HASH_LENGTH];
        for (byte[] h : hashes) {
            in.readBytes(h);
        }
        return new HashResponse(requestId, volume, offset, chunkSize, hashes);
    }
}
