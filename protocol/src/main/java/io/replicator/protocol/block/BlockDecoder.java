package io.replicator.protocol.block;

import io.netty.buffer.ByteBuf;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ProtocolException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Turns a {@link BlockFrame} back into its plain bytes and proves them: the decompressed length
 * must equal the frame's length and the CRC32C must match, or a {@link ProtocolException} with
 * {@link ErrorCode#BAD_CHECKSUM} names what differed. Uses the safe LZ4 decompressor: a hostile
 * payload cannot read or write outside its buffers. Not thread-safe: one per applying thread.
 */
public final class BlockDecoder {
    private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();
    private final CRC32C crc = new CRC32C();

    /**
     * Decodes {@code frame} into {@code dst}, which must have at least {@code frame.length()} bytes
     * remaining. On return {@code dst} is flipped: position 0, limit the frame's length.
     */
    public ByteBuffer decode(BlockFrame frame, ByteBuffer dst) {
        int length = frame.length();
        if (dst.capacity() < length) {
            throw new IllegalArgumentException("buffer of " + dst.capacity() + " bytes for a block of " + length);
        }
        dst.clear().limit(length);
        ByteBuf payload = frame.payload();
        switch (frame.encoding()) {
            case ZERO -> ZeroCheck.fillZero(dst);
            case RAW -> payload.getBytes(payload.readerIndex(), dst);
            case LZ4 -> {
                ByteBuffer src = payload.nioBuffer();
                int n;
                try {
                    n = decompressor.decompress(src, src.position(), src.remaining(), dst, 0, length);
                } catch (LZ4Exception e) {
                    throw new ProtocolException(ErrorCode.BAD_CHECKSUM, String.format(
                            "corrupt LZ4 payload in block seq=%d offset=%d: %s", frame.sequence(), frame.offset(),
                            e.getMessage()));
                }
                if (n != length) {
                    throw new ProtocolException(ErrorCode.BAD_CHECKSUM, String.format(
                            "LZ4 payload of block seq=%d offset=%d decompressed to %d bytes (expected: %d)",
                            frame.sequence(), frame.offset(), n, length));
                }
            }
        }
        dst.position(0).limit(length);
        crc.reset();
        crc.update(dst.duplicate());
        int actual = (int) crc.getValue();
        if (actual != frame.crc32c()) {
            throw new ProtocolException(ErrorCode.BAD_CHECKSUM, String.format(
                    "CRC32C mismatch in block seq=%d offset=%d: 0x%08x (expected: 0x%08x)",
                    frame.sequence(), frame.offset(), actual, frame.crc32c()));
        }
        return dst;
    }
}
