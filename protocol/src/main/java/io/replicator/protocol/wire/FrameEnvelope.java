package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The envelope around every frame body: a header in front of it and, since v2, a CRC32C trailer
 * after it that covers every byte before it, the header included. This class owns the layout;
 * {@link FrameEncoder} writes it, {@link FrameDecoder} checks it, and {@code docs/protocol.md}
 * mirrors it.
 *
 * <pre>
 *  0          4      5       6                   6+n        10+n
 *  +----------+------+-------+-------------------+----------+
 *  | length   | type | flags | body              | crc32c   |
 *  | u32      | u8   | u8=1  | n bytes           | u32      |
 *  +----------+------+-------+-------------------+----------+
 *  |<------------ covered by crc32c ------------>|
 * </pre>
 * All integers big-endian. {@code length} counts the bytes after itself, trailer included ({@code
 * n + 6}), {@link #MIN_LENGTH} to {@link #MAX_LENGTH}; {@code type} is a {@link FrameType}; {@code
 * flags} bit 0 ({@link #FLAG_CHECKSUM}) says the trailer is there and is set on every frame since
 * v2, the other bits are zero; {@code crc32c} is the CRC32C (Castagnoli, {@link CRC32C}) of bytes
 * {@code 0} to {@code 5+n}: length, type, flags and body. A block frame's body keeps its own CRC32C
 * of the plain bytes, which checks them after decompression.
 *
 * <p>A v1 frame has flags 0 and no trailer ({@code length = n + 2}). A v2 peer accepts one only as
 * the first frame of a connection, and only to refuse its sender with {@link
 * ErrorCode#UNSUPPORTED_VERSION} in the v1 envelope, which a v1 peer can read ({@link FrameDecoder}).
 * Stateless.
 */
public final class FrameEnvelope {
    public static final int LENGTH_OFFSET = 0;
    public static final int LENGTH_FIELD_LENGTH = 4;
    public static final int TYPE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    /** Length, type and flags: the body starts here. */
    public static final int HEADER_LENGTH = 6;
    /** The CRC32C after the body. Since v2. */
    public static final int TRAILER_LENGTH = 4;
    /** Flags bit 0: the frame ends with a CRC32C trailer. Since v2, set on every frame. */
    public static final int FLAG_CHECKSUM = 0x01;
    /** The version that added the trailer: a frame without it is in the envelope of the versions before. */
    public static final int CHECKSUM_SINCE_VERSION = 2;
    /** Type and flags with an empty body, the shortest v1 frame: the bound checked before the flags arrive. */
    public static final int MIN_LENGTH = 2;
    /** Type, flags, an empty body and the trailer: the shortest frame with a trailer. */
    public static final int MIN_CHECKSUMMED_LENGTH = MIN_LENGTH + TRAILER_LENGTH;
    /** The largest frame: a block frame carrying the LZ4 bound of the largest block, and its trailer. */
    public static final int MAX_LENGTH = MIN_LENGTH + BlockFrame.HEADER_LENGTH + BlockFrame.MAX_PAYLOAD_LENGTH
            + TRAILER_LENGTH;

    private FrameEnvelope() {
    }

    /** Writes length (0 until {@link #patchLength}), type and flags at {@code out}'s writer index. */
    static void writeHeader(ByteBuf out, FrameType type, boolean checksum) {
        out.writeInt(0);
        out.writeByte(type.code());
        out.writeByte(checksum ? FLAG_CHECKSUM : 0);
    }

    /** Sets the length field of the frame starting at {@code start}: the bytes after it, trailer included. */
    static void patchLength(ByteBuf out, int start, long frameBytes) {
        out.setInt(start + LENGTH_OFFSET, (int) (frameBytes - LENGTH_FIELD_LENGTH));
    }

    /**
     * The trailer of a frame whose bytes before the trailer are the readable bytes of {@code head}
     * then those of {@code rest}: CRC32C over their NIO views, without a copy.
     */
    static int checksum(CRC32C crc, ByteBuf head, ByteBuf rest) {
        crc.reset();
        update(crc, head);
        update(crc, rest);
        return (int) crc.getValue();
    }

    private static void update(CRC32C crc, ByteBuf buf) {
        if (!buf.isReadable()) {
            return;
        }
        for (ByteBuffer b : buf.nioBuffers()) {
            crc.update(b);
        }
    }

    /** Whether the frame (from its length field) says it ends with a trailer. */
    static boolean hasTrailer(ByteBuf frame) {
        return (flags(frame) & FLAG_CHECKSUM) != 0;
    }

    static int flags(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + FLAGS_OFFSET);
    }

    static int typeCode(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + TYPE_OFFSET);
    }

    /**
     * Checks the envelope of one whole frame (its readable bytes, from the length field to the
     * trailer) and returns its body. The trailer is checked before anything else is read from the
     * frame, so a corrupted header or body fails with {@link ErrorCode#BAD_CHECKSUM} naming the
     * expected and the actual CRC32C; the flags are checked after it.
     */
    static ByteBuf open(ByteBuf frame, CRC32C crc) {
        int start = frame.readerIndex();
        int frameBytes = frame.readableBytes();
        ProtocolException.checkRange("frame length", frame.getUnsignedInt(start + LENGTH_OFFSET),
                frameBytes - LENGTH_FIELD_LENGTH, frameBytes - LENGTH_FIELD_LENGTH);
        int flags = flags(frame);
        if ((flags & FLAG_CHECKSUM) == 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                    "%s frame without checksum trailer: flags 0x%02x (expected: 0x%02x, on every frame since v%d)",
                    FrameType.describe(typeCode(frame)), flags, FLAG_CHECKSUM, CHECKSUM_SINCE_VERSION));
        }
        ProtocolException.checkRange("frame length", frameBytes - LENGTH_FIELD_LENGTH, MIN_CHECKSUMMED_LENGTH,
                MAX_LENGTH);
        int covered = frameBytes - TRAILER_LENGTH;
        int expected = frame.getInt(start + covered);
        crc.reset();
        update(crc, frame.slice(start, covered));
        int actual = (int) crc.getValue();
        if (actual != expected) {
            throw new ProtocolException(ErrorCode.BAD_CHECKSUM, String.format(
                    "bad checksum: %s frame of %d bytes has CRC32C 0x%08x (expected: 0x%08x, its trailer)",
                    FrameType.describe(typeCode(frame)), frameBytes, actual, expected));
        }
        if (flags != FLAG_CHECKSUM) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                    "invalid flags: 0x%02x (expected: 0x%02x)", flags, FLAG_CHECKSUM));
        }
        return frame.slice(start + HEADER_LENGTH, covered - HEADER_LENGTH);
    }

    /** The body of a v1 frame (flags 0, no trailer), which a v2 peer reads only to refuse its sender. */
    static ByteBuf openV1(ByteBuf frame) {
        return frame.slice(frame.readerIndex() + HEADER_LENGTH, frame.readableBytes() - HEADER_LENGTH);
    }
}
