package io.replicator.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.replicator.protocol.block.BlockDecoder;
import io.replicator.protocol.block.BlockEncoder;
import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.block.ZeroCheck;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Encoding;
import io.replicator.protocol.wire.FrameCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the block codec on one core, one 64 KiB block per operation: multiply ops/s by
 * {@link #BLOCK_SIZE_BYTES} for bytes/s ({@code run-jmh.sh} does). The compressible block is real
 * text read from the machine ({@link CorpusBlocks}), the random block is seeded, the zero block
 * is zeros. Every buffer is direct, as on the data path. Benchmarks that create a frame release
 * it. The {@code wire*} benchmarks put the random block's RAW frame through the channel's frame
 * codec, as the event loops do, in an {@link EmbeddedChannel}: what the frame's envelope costs
 * each side. State is per thread: each benchmark thread owns its encoder, decoder, channels and
 * buffers.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
@State(Scope.Thread)
public class BlockCodecBenchmark {
    /** The size of every block: operations per second times this is bytes per second. */
    public static final int BLOCK_SIZE_BYTES = 64 * 1024;
    private static final long RANDOM_SEED = 0x5EEDL;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final BlockEncoder encoder = new BlockEncoder();
    private final BlockDecoder decoder = new BlockDecoder();
    private final ChunkHashes hashes = new ChunkHashes();

    private ByteBuffer zeroBlock;
    private ByteBuffer textBlock;
    private ByteBuffer randomBlock;
    private ByteBuffer decoded;
    private BlockFrame lz4Frame;
    private BlockFrame rawFrame;
    private EmbeddedChannel sender;
    private EmbeddedChannel receiver;
    private ByteBuf rawFrameOnTheWire;

    @Setup(Level.Trial)
    public void setUp() {
        zeroBlock = ByteBuffer.allocateDirect(BLOCK_SIZE_BYTES);
        randomBlock = randomBlock(RANDOM_SEED);
        try {
            textBlock = CorpusBlocks.textBlock(BLOCK_SIZE_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a compressible block from the machine", e);
        }
        decoded = ByteBuffer.allocateDirect(BLOCK_SIZE_BYTES);
        lz4Frame = encoder.encode(0, 1, 0, textBlock, alloc);
        rawFrame = encoder.encode(0, 2, BLOCK_SIZE_BYTES, randomBlock, alloc);
        expect(Encoding.LZ4, lz4Frame);
        expect(Encoding.RAW, rawFrame);
        sender = codecChannel();
        receiver = codecChannel();
        rawFrameOnTheWire = alloc.directBuffer();
        sender.writeOutbound(rawFrame.retain());
        for (ByteBuf b; (b = sender.readOutbound()) != null; b.release()) {
            // Without moving b's reader index: one of the buffers is the frame's payload itself.
            rawFrameOnTheWire.writeBytes(b, b.readerIndex(), b.readableBytes());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        lz4Frame.release();
        rawFrame.release();
        rawFrameOnTheWire.release();
        sender.finishAndReleaseAll();
        receiver.finishAndReleaseAll();
    }

    @Benchmark
    public boolean zeroCheckZeroBlock() {
        return ZeroCheck.isAllZero(zeroBlock);
    }

    @Benchmark
    public int encodeZeroBlock() {
        return encodeAndRelease(zeroBlock);
    }

    @Benchmark
    public int encodeTextBlock() {
        return encodeAndRelease(textBlock);
    }

    @Benchmark
    public int encodeRandomBlock() {
        return encodeAndRelease(randomBlock);
    }

    @Benchmark
    public ByteBuffer decodeLz4Frame() {
        return decoder.decode(lz4Frame, decoded);
    }

    @Benchmark
    public ByteBuffer decodeRawFrame() {
        return decoder.decode(rawFrame, decoded);
    }

    /** FrameEncoder: the envelope around the random block's RAW frame (the payload is not copied). */
    @Benchmark
    public int wireEncodeRawFrame() {
        sender.writeOutbound(rawFrame.retain());
        int bytes = 0;
        for (ByteBuf b; (b = sender.readOutbound()) != null; b.release()) {
            bytes += b.readableBytes();
        }
        return bytes;
    }

    /** FrameDecoder: the random block's RAW frame out of the bytes that carried it (the payload is a slice). */
    @Benchmark
    public int wireDecodeRawFrame() {
        receiver.writeInbound(rawFrameOnTheWire.retainedDuplicate());
        BlockFrame frame = receiver.readInbound();
        try {
            return frame.length();
        } finally {
            frame.release();
        }
    }

    @Benchmark
    public int crc32cRandomBlock() {
        return encoder.crc32c(randomBlock);
    }

    @Benchmark
    public byte[] sha256RandomBlock() {
        return hashes.hashChunk(randomBlock);
    }

    private int encodeAndRelease(ByteBuffer plain) {
        BlockFrame frame = encoder.encode(0, 1, 0, plain, alloc);
        try {
            return frame.payload().readableBytes();
        } finally {
            frame.release();
        }
    }

    private EmbeddedChannel codecChannel() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameCodec());
        channel.config().setAllocator(alloc);
        return channel;
    }

    private static ByteBuffer randomBlock(long seed) {
        byte[] bytes = new byte[BLOCK_SIZE_BYTES];
        new SplittableRandom(seed).nextBytes(bytes);
        return ByteBuffer.allocateDirect(BLOCK_SIZE_BYTES).put(bytes).flip();
    }

    private static void expect(Encoding expected, BlockFrame frame) {
        if (frame.encoding() != expected) {
            throw new IllegalStateException("benchmark block encoded as " + frame.encoding() + " (expected: "
                    + expected + "): " + frame);
        }
    }
}
