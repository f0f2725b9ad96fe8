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
 *
 * <p>After {@value #STREAK_TO_SAMPLE} frames in a row that LZ4 shrank by less than an eighth
 * (random data, encrypted or already-compressed files; fio's buffers shrink by 5%), each frame is
 * first judged by a sample: LZ4 of its first eighth (at least {@value #MIN_SAMPLE_BYTES} bytes).
 * A sample that does not shrink by an eighth sends the frame raw without compressing the rest;
 * one that does has the whole frame compressed, and a frame that then shrinks by an eighth ends
 * the streak. On such data that saves most of LZ4's time, the largest part of what the sender
 * spends per block, for at most an eighth of the bytes.
 */
public final class BlockEncoder {
    static final int STREAK_TO_SAMPLE = 2;
    static final int MIN_SAMPLE_BYTES = 512;
    private final LZ4Compressor compressor;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer sampleOut;
    private int incompressibleStreak;
    private long sampledRaw;

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
        if (incompressibleStreak >= STREAK_TO_SAMPLE && length > MIN_SAMPLE_BYTES && !sampleShrinks(plain, length)) {
            sampledRaw++;
            ByteBuf payload = alloc.directBuffer(length);
            payload.writeBytes(plain.duplicate());
            return new BlockFrame(volume, Encoding.RAW, sequence, offset, length, checksum, payload);
        }
        int bound = compressor.maxCompressedLength(length);
        ByteBuf payload = alloc.directBuffer(Math.max(bound, length));
        try {
            ByteBuffer dst = payload.internalNioBuffer(0, payload.capacity());
            int compressed = compressor.compress(plain, plain.position(), length, dst, dst.position(), bound);
            incompressibleStreak = compressed <= length - length / 8 ? 0 : incompressibleStreak + 1;
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

    /** Whether LZ4 shrinks the first eighth of {@code plain} (at least {@value #MIN_SAMPLE_BYTES} bytes) by an eighth. */
    private boolean sampleShrinks(ByteBuffer plain, int length) {
        int sample = Math.min(length, Math.max(MIN_SAMPLE_BYTES, length / 8));
        int bound = compressor.maxCompressedLength(sample);
        if (sampleOut == null || sampleOut.capacity() < bound) {
            sampleOut = ByteBuffer.allocateDirect(Math.max(bound, compressor.maxCompressedLength(8 * MIN_SAMPLE_BYTES)));
        }
        int compressed = compressor.compress(plain, plain.position(), sample, sampleOut, 0, bound);
        return compressed <= sample - sample / 8;
    }

    /** Frames sent raw because their sample did not shrink, without compressing them whole. */
    public long sampledRaw() {
        return sampledRaw;
    }

    /** CRC32C of {@code plain} from position to limit; position is left unchanged. */
    public int crc32c(ByteBuffer plain) {
        crc.reset();
        crc.update(plain.duplicate());
        return (int) crc.getValue();
    }
}
