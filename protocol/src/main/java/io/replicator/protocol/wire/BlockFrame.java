package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.util.Objects;
import net.jpountz.lz4.LZ4Factory;

/**
 * One block of one volume: where it goes, how its payload is encoded, the CRC32C of the plain
 * bytes and its sequence number. Holds the payload buffer: whoever receives a frame releases it.
 *
 * <pre>
 *  0        2     3      4          12         20       24       28           32
 *  +--------+-----+------+----------+----------+--------+--------+------------+---------+
 *  | volume | enc | rsvd | sequence | offset   | length | crc32c | payloadLen | payload |
 *  | u16    | u8  | u8=0 | u64      | u64      | u32    | u32    | u32        | bytes   |
 *  +--------+-----+------+----------+----------+--------+--------+------------+---------+
 * </pre>
 * All integers big-endian. {@code length} is the plain length (1 to {@link VolumeInfo#MAX_BLOCK_SIZE});
 * {@code payloadLen} is {@code length} for RAW, 1 to the LZ4 bound of {@code length} for LZ4, 0 for
 * ZERO, and equals the bytes left in the frame. {@code sequence} starts at 1 and grows by one per
 * block frame on a source. Since v1.
 */
public final class BlockFrame extends DefaultByteBufHolder implements Frame {
    public static final int HEADER_LENGTH = 32;
    /** The largest payload any valid frame carries: the LZ4 bound of the largest block. */
    public static final int MAX_PAYLOAD_LENGTH =
            LZ4Factory.safeInstance().fastCompressor().maxCompressedLength(VolumeInfo.MAX_BLOCK_SIZE);

    private final int volume;
    private final Encoding encoding;
    private final long sequence;
    private final long offset;
    private final int length;
    private final int crc32c;

    public BlockFrame(int volume, Encoding encoding, long sequence, long offset, int length, int crc32c,
                      ByteBuf payload) {
        super(payload);
        this.volume = (int) ProtocolException.checkRange("volume", volume, 0, Hello.MAX_VOLUMES - 1);
        this.encoding = encoding;
        this.sequence = ProtocolException.checkRange("sequence", sequence, 1, Long.MAX_VALUE);
        this.offset = ProtocolException.checkRange("offset", offset, 0, VolumeInfo.MAX_VOLUME_SIZE - 1);
        this.length = (int) ProtocolException.checkRange("length", length, 1, VolumeInfo.MAX_BLOCK_SIZE);
        this.crc32c = crc32c;
        int payloadLength = payload.readableBytes();
        switch (encoding) {
            case RAW -> ProtocolException.checkRange("payloadLength", payloadLength, length, length);
            case LZ4 -> ProtocolException.checkRange("payloadLength", payloadLength, 1,
                    LZ4Factory.safeInstance().fastCompressor().maxCompressedLength(length));
            case ZERO -> ProtocolException.checkRange("payloadLength", payloadLength, 0, 0);
        }
    }

    public int volume() {
        return volume;
    }

    public Encoding encoding() {
        return encoding;
    }

    public long sequence() {
        return sequence;
    }

    public long offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int crc32c() {
        return crc32c;
    }

    public ByteBuf payload() {
        return content();
    }

    @Override
    public FrameType type() {
        return FrameType.BLOCK;
    }

    /** Writes the header fields only: {@link FrameCodec} sends the payload buffer after them without a copy. */
    @Override
    public void encodeBody(ByteBuf out) {
        out.writeShort(volume);
        out.writeByte(encoding.code());
        out.writeByte(0);
        out.writeLong(sequence);
        out.writeLong(offset);
        out.writeInt(length);
        out.writeInt(crc32c);
        out.writeInt(content().readableBytes());
    }

    /** Decodes a body; the returned frame holds a retained slice of {@code in}. */
    public static BlockFrame decode(ByteBuf in) {
        WireStrings.need(in, HEADER_LENGTH, "block header");
        int volume = in.readUnsignedShort();
        Encoding encoding = Encoding.forCode(in.readUnsignedByte());
        ProtocolException.checkRange("reserved", in.readUnsignedByte(), 0, 0);
        long sequence = in.readLong();
        long offset = in.readLong();
        long length = in.readUnsignedInt();
        int crc = in.readInt();
        long payloadLength = in.readUnsignedInt();
        ProtocolException.checkRange("length", length, 1, VolumeInfo.MAX_BLOCK_SIZE);
        ProtocolException.checkRange("payloadLength", payloadLength, in.readableBytes(), in.readableBytes());
        // The constructor checks the remaining fields before the slice is retained.
        ProtocolException.checkRange("sequence", sequence, 1, Long.MAX_VALUE);
        ProtocolException.checkRange("offset", offset, 0, VolumeInfo.MAX_VOLUME_SIZE - 1);
        ByteBuf payload = in.readSlice((int) payloadLength);
        BlockFrame frame = new BlockFrame(volume, encoding, sequence, offset, (int) length, crc, payload);
        payload.retain();
        return frame;
    }

    @Override
    public BlockFrame replace(ByteBuf content) {
        return new BlockFrame(volume, encoding, sequence, offset, length, crc32c, content);
    }

    @Override
    public BlockFrame retain() {
        super.retain();
        return this;
    }

    /** Equal when every header field and the readable payload bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof BlockFrame f && volume == f.volume && encoding == f.encoding && sequence == f.sequence
                && offset == f.offset && length == f.length && crc32c == f.crc32c && content().equals(f.content());
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(volume, encoding, sequence, offset, length, crc32c) + content().hashCode();
    }

    @Override
    public String toString() {
        return String.format("BlockFrame(volume=%d, %s, seq=%d, offset=%d, length=%d, payload=%d)",
                volume, encoding, sequence, offset, length, content().readableBytes());
    }
}
