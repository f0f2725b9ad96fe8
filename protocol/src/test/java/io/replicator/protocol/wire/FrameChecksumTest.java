package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.replicator.protocol.wire.GoldenFrames.Golden;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The trailer ({@link FrameEnvelope}) against bits flipped on the way: every bit of every frame
 * but the length field and the CHECKSUM flag is covered, nothing of a corrupted frame comes out
 * (frames before it do: {@link FrameDecoderSplitTest}), and the encoder computes the trailer over
 * the payload in place.
 */
@ExtendWith(NettyLeakExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameChecksumTest {

    @Test
    @Timeout(30)
    void shouldRefuseEveryFrameWithAnyBitFlippedAfterItsLengthField() {
        TrackingAllocator alloc = new TrackingAllocator();
        int cases = 0;
        for (Golden golden : GoldenFrames.all()) {
            byte[] bytes = golden.bytes();
            for (int offset = FrameEnvelope.LENGTH_FIELD_LENGTH; offset < bytes.length; offset++) {
                for (int bit = 0; bit < 8; bit++) {
                    if (offset == FrameEnvelope.FLAGS_OFFSET && 1 << bit == FrameEnvelope.FLAG_CHECKSUM) {
                        continue; // without the flag there is no trailer to check: shouldRefuseAFrameWithoutTrailer...
                    }
                    String context = golden.name() + " byte " + offset + " bit " + bit;
                    try (CodecChannel codec = new CodecChannel(alloc)) {
                        ProtocolException e = codec.decodeFailure(Hex.flip(bytes, offset, bit), (offset + bit) % 2 == 0);
                        assertEquals(ErrorCode.BAD_CHECKSUM, e.code(), () -> context + ": " + e.getMessage());
                    }
                    cases++;
                }
            }
        }
        assertTrue(cases > 3000, "cases: " + cases);
        alloc.assertAllReleased();
    }

    @Test
    @Timeout(30)
    void shouldLetNothingOutOfAFrameWhoseLengthFieldHasABitFlipped() {
        TrackingAllocator alloc = new TrackingAllocator();
        byte[] followers = new byte[0];
        for (int i = 0; i < 8; i++) {
            followers = concat(followers, GoldenFrames.ACK, GoldenFrames.BLOCK_RAW);
        }
        for (Golden golden : GoldenFrames.all()) {
            for (int bit = 0; bit < 8 * FrameEnvelope.LENGTH_FIELD_LENGTH; bit++) {
                byte[] stream = concat(Hex.flip(golden.bytes(), bit / 8, bit % 8), followers);
                try (CodecChannel codec = new CodecChannel(alloc)) {
                    try {
                        codec.channel().writeInbound(codec.buffer(stream, bit % 2 == 0));
                    } catch (DecoderException e) {
                        // A length out of bounds, a trailer that does not match: both are refusals.
                        assertInstanceOf(ProtocolException.class, e.getCause());
                    }
                    // A longer length waits for bytes that never come, a shorter one cuts the frame short:
                    // either way neither it nor the intact frames after it come out.
                    List<Frame> frames = codec.readFrames();
                    CodecChannel.releaseAll(frames);
                    assertEquals(List.of(), frames, golden.name() + " length bit " + bit);
                }
            }
        }
        alloc.assertAllReleased();
    }

    @Test
    void shouldRefuseAFrameWithoutTrailerAfterTheFirst() {
        TrackingAllocator alloc = new TrackingAllocator();
        try (CodecChannel codec = new CodecChannel(alloc)) {
            assertEquals(List.of(new Ack(41)), codec.decode(GoldenFrames.ACK, false));
            byte[] v1Ack = Hex.bytes("0000000a", "04", "00", "0000000000000029");
            ProtocolException e = codec.decodeFailure(v1Ack, true);
            assertEquals(ErrorCode.MALFORMED_FRAME, e.code());
            assertEquals("ACK frame without checksum trailer: flags 0x00 (expected: 0x01, on every frame since v2)",
                    e.getMessage());
        }
        alloc.assertAllReleased();
    }

    @Test
    void shouldComputeTheTrailerOverACompositePayloadInPlace() {
        TrackingAllocator alloc = new TrackingAllocator();
        byte[] plain = new byte[3 * 4096];
        new Random(7).nextBytes(plain);
        try (CodecChannel codec = new CodecChannel(alloc)) {
            for (boolean direct : new boolean[] {false, true}) {
                CompositeByteBuf payload = Unpooled.compositeBuffer();
                for (int part = 0; part < 3; part++) {
                    ByteBuf b = direct ? alloc.directBuffer(4096) : alloc.heapBuffer(4096);
                    payload.addComponent(true, b.writeBytes(plain, part * 4096, 4096));
                }
                BlockFrame frame = new BlockFrame(1, Encoding.RAW, 9, 8192, plain.length, 0x1234, payload);
                ByteBuf copied = FrameEncoder.encode(frame, Unpooled.buffer());
                byte[] expected = new byte[copied.readableBytes()];
                copied.readBytes(expected);
                copied.release();

                assertTrue(codec.channel().writeOutbound(frame.retain()));
                ByteBuf head = codec.channel().readOutbound();
                ByteBuf sent = codec.channel().readOutbound();
                ByteBuf trailer = codec.channel().readOutbound();
                assertSame(payload, sent, "the payload went out as it was, not copied");
                byte[] wire = concat(bytes(head), bytes(sent), bytes(trailer));
                assertEquals(Hex.hex(expected), Hex.hex(wire));
                try (CodecChannel decoder = new CodecChannel(alloc)) {
                    List<Frame> decoded = decoder.decode(wire, direct);
                    assertEquals(List.of(frame), decoded);
                    CodecChannel.releaseAll(decoded);
                } finally {
                    frame.release();
                }
            }
        }
        alloc.assertAllReleased();
    }

    /** The readable bytes of {@code buf}, left readable; {@code buf} is released once. */
    private static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[0];
        for (byte[] p : parts) {
            int at = all.length;
            all = Arrays.copyOf(all, at + p.length);
            System.arraycopy(p, 0, all, at, p.length);
        }
        return all;
    }
}
