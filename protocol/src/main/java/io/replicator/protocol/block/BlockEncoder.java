package io.replicator.protocol.block;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Encoding;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Turns plain bytes into a {@link BlockFrame}: all-zero ranges become {@link Encoding#ZERO} (never
 * compressed), everything else is LZ4-compressed and kept raw where LZ4 does not shrink it. The
 * CRC32C always covers the plain bytes. Not thread-safe: one encoder per sending thread.
 */
public final class BlockEncoder {
    private final LZ4Compressor compressor;
    private final CRC32C crc = new CRC32C();

    public BlockEncoder() {
        this(LZ4Factory.fastestInstance().fastCompressor());
    }

    BlockEncoder(LZ4Compressor compressor) {
        this.compressor = compressor;
    }

    /**
     * Encodes {@code plain} (position to limit; position is left unchanged) as block {@code
     * sequence} of {@code volume} at {@code offset}. The payload is allocated from {@code alloc};
     * the caller owns the returned frame.
     */
    public BlockFrame encode(int volume, long sequence, long offset, ByteBuffer plain, ByteBufAllocator alloc) {
        return encode(volume, sequence, offset, plain, ZeroCheck.isAllZero(plain), alloc);
    }

    /**
     * As {@link #encode(int, long, long, ByteBuffer, ByteBufAllocator)}, for a caller that already
     * knows whether {@code plain} is all zeros (it checked each block of a run as it gathered them):
     * {@code allZero} must say exactly that, the bytes are not scanned again.
     */
    public BlockFrame encode(int volume, long sequence, long offset, ByteBuffer plain, boolean allZero,
                             ByteBufAllocator alloc) {
        int length = plain.remaining();
        int checksum = crc32c(plain);
        if (allZero) {
            return new BlockFrame(volume, Encoding.ZERO, sequence, offset, length, checksum, Unpooled.EMPTY_BUFFER);
        }
        int bound = compressor.maxCompressedLength(length);
        ByteBuf payload = alloc.directBuffer(Math.max(bound, length));
        try {
            ByteBuffer dst = payload.internalNioBuffer(0, payload.capacity());
            int compressed = compressor.compress(plain, plain.position(), length, dst, dst.position(), bound);
            if (compressed < length) {
                payload.writerIndex(compressed);
                return new BlockFrame(volume, Encoding.LZ4, sequence, offset, length, checksum, payload);
            }
            payload.writeBytes(plain.duplicate());
            return new BlockFrame(volume, Encoding.RAW, sequence, offset, length, checksum, payload);
        } catch (RuntimeException e) {
            payload.release();
            throw e;
        }
    }

    /** CRC32C of {@code plain} from position to limit; position is left unchanged. */
    public int crc32c(ByteBuffer plain) {
        crc.reset();
        crc.update(plain.duplicate());
        return (int) crc.getValue();
    }
}
