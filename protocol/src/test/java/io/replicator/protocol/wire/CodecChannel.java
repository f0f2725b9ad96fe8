package io.replicator.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link EmbeddedChannel} with a {@link FrameCodec} whose buffers come from a {@link
 * TrackingAllocator}, and the few moves the codec tests make on it. Closing it releases whatever is
 * left in the channel. Not thread-safe: used from the test thread only.
 */
public final class CodecChannel implements AutoCloseable {
    private final TrackingAllocator alloc;
    private final EmbeddedChannel channel;

    public CodecChannel(TrackingAllocator alloc) {
        this.alloc = alloc;
        this.channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameCodec());
    }

    public EmbeddedChannel channel() {
        return channel;
    }

    /** Encodes {@code frame} (and releases it, as any outbound handler would) into its bytes on the wire. */
    public byte[] encode(Frame frame) {
        assertTrue(channel.writeOutbound(frame), "no output for " + frame);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) o;
            try {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                out.writeBytes(bytes);
            } finally {
                buf.release();
            }
        }
        return out.toByteArray();
    }

    /** A buffer from the tracking allocator holding {@code bytes}. */
    public ByteBuf buffer(byte[] bytes, boolean direct) {
        ByteBuf buf = direct ? alloc.directBuffer(bytes.length) : alloc.heapBuffer(bytes.length);
        return buf.writeBytes(bytes);
    }

    /** Feeds {@code bytes} as one buffer and returns every frame that came out; the caller releases them. */
    public List<Frame> decode(byte[] bytes, boolean direct) {
        channel.writeInbound(buffer(bytes, direct));
        return readFrames();
    }

    public List<Frame> readFrames() {
        List<Frame> frames = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            frames.add(assertInstanceOf(Frame.class, o));
        }
        return frames;
    }

    /**
     * Feeds {@code bytes}, expects the decoder to fail, and returns the {@link ProtocolException}
     * behind the {@link DecoderException}. Checks that no frame came out and the input was released.
     */
    public ProtocolException decodeFailure(byte[] bytes, boolean direct) {
        ByteBuf in = buffer(bytes, direct);
        DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(in),
                () -> "decoding " + Hex.hex(bytes));
        assertEquals(0, in.refCnt(), "the failed decoder kept the input buffer");
        List<Frame> frames = readFrames();
        releaseAll(frames);
        assertEquals(List.of(), frames, "frames came out of a malformed input");
        return assertInstanceOf(ProtocolException.class, e.getCause(), "cause of " + e);
    }

    /** Finishes the channel and releases anything still queued in it. */
    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }

    public static void releaseAll(List<? extends Frame> frames) {
        for (Frame f : frames) {
            ReferenceCountUtil.release(f);
        }
    }
}
