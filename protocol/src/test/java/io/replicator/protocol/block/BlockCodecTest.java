package io.replicator.protocol.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Encoding;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.NettyLeakExtension;
import io.replicator.protocol.wire.ProtocolException;
import io.replicator.protocol.wire.TrackingAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link BlockEncoder} picks the encoding and {@link BlockDecoder} proves the bytes it gives back. */
@ExtendWith(NettyLeakExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockCodecTest {
    private static final int[] SIZES = {4096, 8192, 65536, 1 << 20, 1, 7, 4097, 12345, (1 << 20) - 1};

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final BlockEncoder encoder = new BlockEncoder();
    private final BlockDecoder decoder = new BlockDecoder();

    enum Content { ZERO, COMPRESSIBLE, RANDOM }

    static List<Arguments> roundTrips() {
        List<Arguments> args = new ArrayList<>();
        for (int size : SIZES) {
            for (Content content : Content.values()) {
                args.add(Arguments.of(content, size, size % 2 == 0));
            }
        }
        return args;
    }

    @AfterEach
    void everyPayloadReleased() {
        alloc.assertAllReleased();
    }

    @ParameterizedTest(name = "{0} {1} bytes, direct input {2}")
    @MethodSource("roundTrips")
    @Timeout(10)
    void shouldRoundTripEveryEncoding(Content content, int size, boolean direct) {
        byte[] plain = plain(content, size, new Random(size));
        ByteBuffer input = buffer(plain, direct);
        BlockFrame frame = encoder.encode(3, 9, 1L << 30, input, alloc);
        try {
            assertEquals(0, input.position(), "the encoder moved the input");
            assertEquals(crc32c(plain), frame.crc32c());
            assertEquals(size, frame.length());
            Encoding expected = switch (content) {
                case ZERO -> Encoding.ZERO;
                case COMPRESSIBLE -> size >= 32 ? Encoding.LZ4 : frame.encoding();
                case RANDOM -> Encoding.RAW;
            };
            assertSame(expected, frame.encoding());
            switch (frame.encoding()) {
                case ZERO -> assertEquals(0, frame.payload().readableBytes());
                case LZ4 -> assertTrue(frame.payload().readableBytes() < size);
                case RAW -> assertArrayEquals(plain, bytes(frame.payload()));
            }
            for (boolean directDst : new boolean[] {false, true}) {
                ByteBuffer dst = directDst ? ByteBuffer.allocateDirect(size + 5) : ByteBuffer.allocate(size + 5);
                ByteBuffer out = decoder.decode(frame, dst);
                assertEquals(0, out.position());
                assertEquals(size, out.limit());
                byte[] decoded = new byte[size];
                out.get(decoded);
                assertArrayEquals(plain, decoded);
            }
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest(name = "{0} {1} bytes")
    @MethodSource("roundTrips")
    @Timeout(10)
    void shouldEncodeTheSameWhenTheCallerSaysWhetherTheBytesAreZero(Content content, int size, boolean direct) {
        byte[] plain = plain(content, size, new Random(size));
        boolean allZero = true;
        for (byte x : plain) {
            allZero &= x == 0;
        }
        ByteBuffer input = buffer(plain, direct);
        BlockFrame checked = encoder.encode(3, 9, 4096, input, alloc);
        BlockFrame told = encoder.encode(3, 9, 4096, input, allZero, alloc);
        try {
            assertSame(checked.encoding(), told.encoding());
            assertEquals(checked.crc32c(), told.crc32c());
            assertEquals(checked.length(), told.length());
            assertArrayEquals(bytes(checked.payload()), bytes(told.payload()));
        } finally {
            checked.release();
            told.release();
        }
    }

    @Test
    void shouldRefuseFlippedCrcBit() {
        byte[] plain = plain(Content.COMPRESSIBLE, 8192, new Random(1));
        for (Content content : Content.values()) {
            BlockFrame good = encoder.encode(0, 1, 0, ByteBuffer.wrap(plain(content, 8192, new Random(2))), alloc);
            for (int bit = 0; bit < 32; bit += 7) {
                BlockFrame bad = new BlockFrame(0, good.encoding(), 1, 0, good.length(), good.crc32c() ^ (1 << bit),
                        good.payload().retainedDuplicate());
                try {
                    ProtocolException e = assertThrows(ProtocolException.class,
                            () -> decoder.decode(bad, ByteBuffer.allocate(plain.length)));
                    assertEquals(ErrorCode.BAD_CHECKSUM, e.code());
                    assertTrue(e.getMessage().startsWith("CRC32C mismatch in block seq=1 offset=0"), e.getMessage());
                } finally {
                    bad.release();
                }
            }
            good.release();
        }
    }

    @Test
    void shouldRefuseCorruptLz4Payload() {
        byte[] plain = plain(Content.COMPRESSIBLE, 65536, new Random(3));
        // A literal run longer than the payload: the safe decompressor would read past its input.
        BlockFrame bad = new BlockFrame(0, Encoding.LZ4, 5, 4096, plain.length, crc32c(plain),
                Unpooled.wrappedBuffer(new byte[] {(byte) 0xf0, (byte) 0xff, (byte) 0xff, 1, 2, 3}));
        try {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> decoder.decode(bad, ByteBuffer.allocate(plain.length)));
            assertEquals(ErrorCode.BAD_CHECKSUM, e.code());
            assertTrue(e.getMessage().startsWith("corrupt LZ4 payload in block seq=5 offset=4096"), e.getMessage());
        } finally {
            bad.release();
        }
    }

    @Test
    void shouldRefuseOrReproduceEveryRandomlyCorruptedLz4Payload() {
        byte[] plain = plain(Content.COMPRESSIBLE, 16384, new Random(4));
        BlockFrame good = encoder.encode(0, 1, 0, ByteBuffer.wrap(plain), alloc);
        byte[] payload = bytes(good.payload());
        Random random = new Random(0xB10CL);
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] corrupt = payload.clone();
            corrupt[random.nextInt(corrupt.length)] ^= (byte) (1 << random.nextInt(8));
            BlockFrame bad = new BlockFrame(0, Encoding.LZ4, 1, 0, plain.length, good.crc32c(),
                    Unpooled.wrappedBuffer(corrupt));
            try {
                ByteBuffer out = decoder.decode(bad, ByteBuffer.allocateDirect(plain.length));
                // A flip that leaves the output unchanged (an offset inside a run) is harmless.
                byte[] decoded = new byte[plain.length];
                out.get(decoded);
                assertArrayEquals(plain, decoded, "corruption #" + i + " seed=0xB10C decoded to other bytes");
            } catch (ProtocolException e) {
                assertEquals(ErrorCode.BAD_CHECKSUM, e.code(), "corruption #" + i + " seed=0xB10C");
                refused++;
            } finally {
                bad.release();
            }
        }
        good.release();
        assertTrue(refused > 1000, "only " + refused + " of 2000 corruptions refused");
    }

    @Test
    void shouldRefuseLz4PayloadOfTheWrongLength() {
        byte[] plain = plain(Content.COMPRESSIBLE, 4096, new Random(5));
        BlockFrame good = encoder.encode(0, 1, 0, ByteBuffer.wrap(plain), alloc);
        try {
            BlockFrame longer = new BlockFrame(0, Encoding.LZ4, 7, 0, 8192, good.crc32c(),
                    good.payload().retainedDuplicate());
            try {
                ProtocolException e = assertThrows(ProtocolException.class,
                        () -> decoder.decode(longer, ByteBuffer.allocate(8192)));
                assertEquals(ErrorCode.BAD_CHECKSUM, e.code());
                assertEquals("LZ4 payload of block seq=7 offset=0 decompressed to 4096 bytes (expected: 8192)",
                        e.getMessage());
            } finally {
                longer.release();
            }
            BlockFrame shorter = new BlockFrame(0, Encoding.LZ4, 8, 0, 2048, good.crc32c(),
                    good.payload().retainedDuplicate());
            try {
                ProtocolException e = assertThrows(ProtocolException.class,
                        () -> decoder.decode(shorter, ByteBuffer.allocate(8192)));
                assertEquals(ErrorCode.BAD_CHECKSUM, e.code());
            } finally {
                shorter.release();
            }
        } finally {
            good.release();
        }
    }

    @Test
    void shouldRefuseDestinationSmallerThanTheBlock() {
        BlockFrame frame = encoder.encode(0, 1, 0, ByteBuffer.allocate(4096), alloc);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> decoder.decode(frame, ByteBuffer.allocate(4095)));
        assertEquals("buffer of 4095 bytes for a block of 4096", e.getMessage());
    }

    @Test
    void shouldEncodeASliceFromItsPosition() {
        byte[] text = "0123456789abcdef".repeat(512).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer window = ByteBuffer.allocateDirect(text.length + 100).position(37);
        window.put(text).flip().position(37);
        BlockFrame frame = encoder.encode(1, 2, 0, window, alloc);
        try {
            assertEquals(37, window.position());
            assertEquals(text.length, frame.length());
            assertEquals(crc32c(text), frame.crc32c());
            ByteBuffer out = decoder.decode(frame, ByteBuffer.allocate(text.length));
            byte[] decoded = new byte[text.length];
            out.get(decoded);
            assertArrayEquals(text, decoded);
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldJudgeFramesBySampleAfterAStreakOfIncompressibleOnesUntilOneCompresses() {
        Random random = new Random(7);
        List<Encoding> encodings = new ArrayList<>();
        long[] sampled = new long[9];
        Content[] contents = {Content.RANDOM, Content.RANDOM, Content.RANDOM, Content.RANDOM, Content.COMPRESSIBLE,
            Content.RANDOM, Content.RANDOM, Content.RANDOM, Content.COMPRESSIBLE};
        for (int i = 0; i < contents.length; i++) {
            encodings.add(encodeAndRoundTrip(plain(contents[i], 4096, random), i));
            sampled[i] = encoder.sampledRaw();
        }
        assertEquals(List.of(Encoding.RAW, Encoding.RAW, Encoding.RAW, Encoding.RAW, Encoding.LZ4,
                Encoding.RAW, Encoding.RAW, Encoding.RAW, Encoding.LZ4), encodings);
        // Two whole compressions make a streak; then samples decide, until a frame compresses again.
        assertArrayEquals(new long[] {0, 0, 1, 2, 2, 2, 2, 3, 3}, sampled);
    }

    @Test
    void shouldCountFramesThatShrankByLessThanAnEighthTowardTheStreak() {
        Random random = new Random(11);
        List<Encoding> encodings = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // random but for 200 zero bytes at the end: LZ4 shrinks it by about 5%, as it does fio's buffers
            byte[] plain = plain(Content.RANDOM, 4096, random);
            java.util.Arrays.fill(plain, 4096 - 200, 4096, (byte) 0);
            encodings.add(encodeAndRoundTrip(plain, i));
        }
        assertEquals(List.of(Encoding.LZ4, Encoding.LZ4, Encoding.RAW, Encoding.RAW), encodings);
        assertEquals(2, encoder.sampledRaw());
    }

    /** Encodes {@code plain} as the {@code i}th 4 KiB block of volume 0, checks that it decodes back, and says how it went. */
    private Encoding encodeAndRoundTrip(byte[] plain, int i) {
        BlockFrame frame = encoder.encode(0, i + 1, i * 4096L, ByteBuffer.wrap(plain), alloc);
        try {
            ByteBuffer out = decoder.decode(frame, ByteBuffer.allocate(plain.length));
            byte[] back = new byte[out.remaining()];
            out.get(back);
            assertArrayEquals(plain, back, "frame " + i);
            return frame.encoding();
        } finally {
            frame.release();
        }
    }

    static byte[] plain(Content content, int size, Random random) {
        byte[] b = new byte[size];
        switch (content) {
            case ZERO -> { }
            case COMPRESSIBLE -> {
                byte[] words = "block replication engine; ".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < size; i++) {
                    b[i] = random.nextInt(16) == 0 ? (byte) random.nextInt(256) : words[i % words.length];
                }
                if (size > 0 && isZero(b)) {
                    b[0] = 1;
                }
            }
            case RANDOM -> {
                random.nextBytes(b);
                b[0] = 1;
            }
        }
        return b;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    static ByteBuffer buffer(byte[] bytes, boolean direct) {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(bytes.length) : ByteBuffer.allocate(bytes.length);
        return buf.put(bytes).flip();
    }

    static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }
}
