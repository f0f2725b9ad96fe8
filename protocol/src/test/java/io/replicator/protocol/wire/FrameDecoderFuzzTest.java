package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seeded fuzzing of {@link FrameDecoder}: random bytes, mutated valid frames, truncation at every
 * offset and lengths at the boundaries. The decoder either produces frames that re-encode to the
 * bytes they came from, or fails with a {@link ProtocolException}; never another exception, never
 * an allocation past the largest frame. About half the inputs are resealed (their trailer made to
 * match what they became), so that the body decoders behind the trailer's check see hostile bytes
 * too; the others keep the trailer they were sent with and exercise the check. The seed is in every
 * assertion message.
 */
@ExtendWith(NettyLeakExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FrameDecoderFuzzTest {
    private static final long SEED = Long.getLong("protocol.fuzz.seed", 0x5EED_F00DL);
    private static final int ITERATIONS = 10_000;
    /**
     * What feeding one input may allocate on the heap: the cumulation grows to the power of two above
     * the largest frame (2 MiB), and the decoded fields are far smaller than one more frame. A length
     * trusted before its check would ask for up to 4 GiB.
     */
    private static final long MAX_HEAP_BYTES_PER_INPUT = 4L * FrameEnvelope.MAX_LENGTH;
    private static final long[] BOUNDARY_LENGTHS = {0, 1, 2, FrameEnvelope.MAX_LENGTH - 1, FrameEnvelope.MAX_LENGTH,
            FrameEnvelope.MAX_LENGTH + 1L, (1L << 31) - 1, (1L << 32) - 1};

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final TrackingAllocator alloc = new TrackingAllocator();
    private final Stats stats = new Stats();

    /** What the inputs did, so a test can prove it reached both outcomes. */
    private static final class Stats {
        int frames;
        int failures;
        int inputs;
        long largestHeapBytes;
    }

    @AfterEach
    void logStatistics(TestInfo test) {
        System.out.printf("%s: seed=%d inputs=%d frames=%d refused=%d largestHeapBytesPerInput=%d%n",
                test.getDisplayName(), SEED, stats.inputs, stats.frames, stats.failures, stats.largestHeapBytes);
    }

    @Test
    void shouldDecodeOrRefuseRandomBytes() {
        Random random = new Random(SEED);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = new byte[random.nextInt(300)];
            random.nextBytes(input);
            if (input.length >= FrameEnvelope.HEADER_LENGTH && random.nextBoolean()) {
                // Make most inputs get past the header and the trailer so that the body decoders see them.
                input[FrameEnvelope.TYPE_OFFSET] = (byte) (1 + random.nextInt(FrameType.values().length));
                input[FrameEnvelope.FLAGS_OFFSET] = random.nextInt(8) == 0 ? input[FrameEnvelope.FLAGS_OFFSET]
                        : (byte) FrameEnvelope.FLAG_CHECKSUM;
                input = random.nextInt(8) == 0 ? withLength(input) : Hex.seal(input);
            }
            decodeOne(input, random.nextBoolean(), "random input #" + i);
        }
        assertTrue(stats.failures > 0, "seed=" + SEED + " failures=" + stats.failures);
        alloc.assertAllReleased();
    }

    @Test
    void shouldDecodeOrRefuseMutatedValidFrames() {
        Random random = new Random(SEED + 1);
        List<byte[]> valid = validFrames(random, 200);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = valid.get(random.nextInt(valid.size())).clone();
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations && input.length > 0; m++) {
                input = mutate(input, random);
            }
            if (input.length >= FrameEnvelope.HEADER_LENGTH + FrameEnvelope.TRAILER_LENGTH && random.nextBoolean()) {
                input = Hex.seal(Hex.unseal(input));
            } else if (input.length >= FrameEnvelope.LENGTH_FIELD_LENGTH && random.nextInt(3) == 0) {
                input = withLength(input);
            }
            decodeOne(input, random.nextBoolean(), "mutation #" + i);
        }
        assertTrue(stats.failures > 0 && stats.frames > 0, "seed=" + SEED + " frames=" + stats.frames);
        alloc.assertAllReleased();
    }

    @Test
    void shouldWaitForOrRefuseFramesTruncatedAtEveryOffset() {
        Random random = new Random(SEED + 2);
        List<byte[]> frames = new ArrayList<>();
        GoldenFrames.all().forEach(g -> frames.add(g.bytes()));
        frames.addAll(validFrames(random, 20));
        for (byte[] frame : frames) {
            for (int cut = 0; cut < frame.length; cut++) {
                byte[] prefix = Arrays.copyOf(frame, cut);
                // As sent: an incomplete frame is waited for, and dropped without a frame at the end.
                try (CodecChannel codec = new CodecChannel(alloc)) {
                    codec.channel().writeInbound(codec.buffer(prefix, cut % 2 == 0));
                    assertEquals(List.of(), codec.readFrames(), "prefix " + cut + " of " + Hex.hex(frame));
                    codec.channel().finish();
                    assertEquals(List.of(), codec.readFrames(), "prefix " + cut + " after close");
                }
                // With the length field claiming the truncated body, the trailer as sent or made to
                // match: refused or a valid frame.
                if (cut >= FrameEnvelope.HEADER_LENGTH) {
                    byte[] claimed = cut % 4 < 2 ? withLength(prefix) : Hex.seal(prefix);
                    decodeOne(claimed, cut % 2 == 1, "truncation at " + cut + " of " + Hex.hex(frame));
                }
            }
        }
        assertTrue(stats.failures > 0, "seed=" + SEED);
        alloc.assertAllReleased();
    }

    @Test
    void shouldCheckBoundaryLengthsBeforeBufferingTheBody() {
        Random random = new Random(SEED + 3);
        for (long length : BOUNDARY_LENGTHS) {
            for (FrameType type : FrameType.values()) {
                String context = "length " + length + " type " + type + " seed=" + SEED;
                byte[] header = Hex.bytes(String.format("%08x", length), String.format("%02x", type.code()), "01");
                byte[] body = length >= FrameEnvelope.MIN_LENGTH && length <= FrameEnvelope.MAX_LENGTH
                        ? body(type, header, (int) length - 2, random) : null;
                boolean failed;
                try (CodecChannel codec = new CodecChannel(alloc)) {
                    // The header alone: a bad length must fail now, before any body byte is sent.
                    failed = feed(codec, Arrays.copyOf(header, Math.min(header.length, (int) Math.min(length + 4,
                            header.length))), random.nextBoolean(), context);
                    if (body == null) {
                        assertTrue(failed || length < FrameEnvelope.MIN_LENGTH && length + 4 < header.length,
                                "not refused on its header: " + context);
                    } else {
                        for (int pos = 0; pos < body.length && !failed; pos += 64 * 1024) {
                            byte[] chunk = Arrays.copyOfRange(body, pos, Math.min(body.length, pos + 64 * 1024));
                            failed = feed(codec, chunk, random.nextBoolean(), context);
                        }
                        if (type == FrameType.BLOCK && length >= FrameEnvelope.MAX_LENGTH - 1) {
                            assertTrue(!failed && stats.frames > 0, "largest block frames must decode: " + context);
                        }
                    }
                }
            }
        }
        long bound = alloc.calculateNewCapacity(FrameEnvelope.MAX_LENGTH + FrameEnvelope.LENGTH_FIELD_LENGTH,
                Integer.MAX_VALUE);
        assertTrue(alloc.largestCapacityBytes() <= bound,
                "largest allocation " + alloc.largestCapacityBytes() + " above " + bound + ", seed=" + SEED);
        alloc.assertAllReleased();
    }

    /**
     * What follows {@code header} up to the frame's end, body and trailer: for BLOCK a valid LZ4
     * block header around random payload, random bytes otherwise; the trailer matches.
     */
    private static byte[] body(FrameType type, byte[] header, int bytesAfterFlags, Random random) {
        byte[] body = new byte[bytesAfterFlags];
        random.nextBytes(body);
        int bodyLength = bytesAfterFlags - FrameEnvelope.TRAILER_LENGTH;
        if (type == FrameType.BLOCK && bodyLength >= BlockFrame.HEADER_LENGTH + 1) {
            int payload = bodyLength - BlockFrame.HEADER_LENGTH;
            byte[] blockHeader = Hex.bytes("0000 01 00", "0000000000000001", "0000000000000000",
                    String.format("%08x", VolumeInfo.MAX_BLOCK_SIZE), "00000000", String.format("%08x", payload));
            System.arraycopy(blockHeader, 0, body, 0, blockHeader.length);
        }
        if (bodyLength >= 0) {
            CRC32C crc = new CRC32C();
            crc.update(header);
            crc.update(body, 0, bodyLength);
            ByteBuffer.wrap(body).putInt(bodyLength, (int) crc.getValue());
        }
        return body;
    }

    private void decodeOne(byte[] input, boolean direct, String context) {
        try (CodecChannel codec = new CodecChannel(alloc)) {
            feed(codec, input, direct, context + " input " + Hex.hex(input));
        }
    }

    /**
     * Feeds {@code input}; returns whether the decoder refused it. Fails on any other exception, on
     * a frame that does not re-encode to the bytes it came from, and on a heap allocation past the bound.
     */
    private boolean feed(CodecChannel codec, byte[] input, boolean direct, String context) {
        ByteBuf in = codec.buffer(input, direct);
        stats.inputs++;
        boolean refused = false;
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            codec.channel().writeInbound(in);
        } catch (DecoderException e) {
            if (!(e.getCause() instanceof ProtocolException)) {
                fail("not a ProtocolException: " + context + ", seed=" + SEED, e);
            }
            refused = true;
            stats.failures++;
        } catch (RuntimeException | Error e) {
            fail("decoder threw " + e + ": " + context + ", seed=" + SEED, e);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        stats.largestHeapBytes = Math.max(stats.largestHeapBytes, allocated);
        assertTrue(allocated <= MAX_HEAP_BYTES_PER_INPUT,
                "decoding allocated " + allocated + " bytes: " + context + ", seed=" + SEED);
        List<Frame> frames = codec.readFrames();
        try {
            stats.frames += frames.size();
            assertReencodesToInput(frames, input, context);
        } finally {
            CodecChannel.releaseAll(frames);
        }
        return refused;
    }

    /** The encoding is canonical: every frame out re-encodes to the bytes it was decoded from. */
    private void assertReencodesToInput(List<Frame> frames, byte[] input, String context) {
        if (frames.isEmpty() || frames.size() > 1 || input.length > 4096) {
            return;
        }
        Frame frame = frames.get(0);
        if (frame instanceof ErrorFrame e && e.code() == ErrorCode.UNKNOWN) {
            return;
        }
        try (CodecChannel encoder = new CodecChannel(alloc)) {
            byte[] encoded = encoder.encode(FrameDecoderSplitTest.retainedCopy(frame));
            assertEquals(Hex.hex(Arrays.copyOf(input, encoded.length)), Hex.hex(encoded),
                    "re-encoded " + frame + ": " + context + ", seed=" + SEED);
        }
    }

    private List<byte[]> validFrames(Random random, int count) {
        RandomFrames frames = new RandomFrames(random, 512);
        List<byte[]> encoded = new ArrayList<>();
        try (CodecChannel encoder = new CodecChannel(alloc)) {
            for (int i = 0; i < count; i++) {
                Frame frame = frames.next();
                if (frame instanceof Hello h && h.volumes().size() > 8 || frame instanceof HashResponse r
                        && r.hashes().length > 8) {
                    i--;
                    continue;
                }
                encoded.add(encoder.encode(frame));
            }
        }
        GoldenFrames.all().forEach(g -> encoded.add(g.bytes()));
        return encoded;
    }

    private static byte[] mutate(byte[] input, Random random) {
        int pos = random.nextInt(input.length);
        switch (random.nextInt(6)) {
            case 0 -> input[pos] ^= (byte) (1 << random.nextInt(8));
            case 1 -> input[pos] = (byte) random.nextInt(256);
            case 2 -> {
                long v = BOUNDARY_LENGTHS[random.nextInt(BOUNDARY_LENGTHS.length)] + random.nextInt(3) - 1;
                for (int i = 0; i < 4 && pos + i < input.length; i++) {
                    input[pos + i] = (byte) (v >>> (24 - 8 * i));
                }
            }
            case 3 -> {
                return Arrays.copyOf(input, pos);
            }
            case 4 -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(input, 0, pos);
                out.write(random.nextInt(256));
                out.write(input, pos, input.length - pos);
                return out.toByteArray();
            }
            default -> {
                byte[] shorter = new byte[input.length - 1];
                System.arraycopy(input, 0, shorter, 0, pos);
                System.arraycopy(input, pos + 1, shorter, pos, input.length - pos - 1);
                return shorter;
            }
        }
        return input;
    }

    /** {@code frame} with its length field set to the bytes after it. */
    private static byte[] withLength(byte[] frame) {
        long length = frame.length - FrameEnvelope.LENGTH_FIELD_LENGTH;
        for (int i = 0; i < 4; i++) {
            frame[i] = (byte) (length >>> (24 - 8 * i));
        }
        return frame;
    }
}
