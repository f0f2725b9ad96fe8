package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameDecoder;
import io.replicator.protocol.wire.FrameEncoder;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.source.SourceDaemon;
import io.replicator.source.SourceStartException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source of this version meets a receiver of v1 on 127.0.0.1: one that answers with a HELLO_ACK
 * offering only v1, and one that cannot read our HELLO and says so in the v1 envelope. Either way
 * the source refuses with both version ranges in its words, and does not start.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SourceVersionRefusalTest {
    private static final String RANGES = String.format("no common protocol version: I support %d-%d, peer supports 1-1",
            ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED);

    @TempDir
    Path dir;

    @Test
    void shouldRefuseATargetWhoseHelloAckOffersOnlyV1NamingBothRanges() throws Exception {
        byte[] ack = bytes(FrameEncoder.encode(new HelloAck(1, 1, 1, ProtocolVersion.SUPPORTED_FEATURES, 0),
                Unpooled.buffer()));
        try (OneConnectionTarget target = new OneConnectionTarget(hello -> ack)) {
            SourceStartException e = assertThrows(SourceStartException.class, () -> startSource(target.address()));
            assertTrue(e.getMessage().contains(RANGES), e.getMessage());
            List<byte[]> received = target.received.get(30, TimeUnit.SECONDS);
            Hello hello = assertInstanceOf(Hello.class, decode(received.get(0)));
            assertEquals(ProtocolVersion.MIN_SUPPORTED, hello.minVersion());
            assertEquals(ProtocolVersion.MAX_SUPPORTED, hello.maxVersion());
            ErrorFrame refusal = assertInstanceOf(ErrorFrame.class, decode(received.get(1)), "the source says why");
            assertEquals(ErrorCode.UNSUPPORTED_VERSION, refusal.code());
            assertEquals(RANGES, refusal.message());
        }
    }

    @Test
    void shouldRefuseAV1TargetThatCannotReadItsHelloQuotingItsAnswer() throws Exception {
        String why = "invalid flags: 1 (expected: 0-0)";
        byte[] v1Refusal = ByteBuffer.allocate(6 + 4 + why.length())
                .putInt(2 + 4 + why.length())           // length: type, flags and body; v1 has no trailer
                .put((byte) 9)                          // type ERROR
                .put((byte) 0)                          // flags: none in v1
                .putShort((short) ErrorCode.MALFORMED_FRAME.code()) // code 1
                .putShort((short) why.length())         // message length
                .put(why.getBytes(StandardCharsets.US_ASCII)) // message: what a v1 receiver says of our flags
                .array();
        try (OneConnectionTarget target = new OneConnectionTarget(hello -> v1Refusal)) {
            SourceStartException e = assertThrows(SourceStartException.class, () -> startSource(target.address()));
            assertTrue(e.getMessage().contains(RANGES), e.getMessage());
            assertTrue(e.getMessage().contains("it said: MALFORMED_FRAME " + why), e.getMessage());
        }
    }

    private void startSource(InetSocketAddress target) throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 1 << 20, 3);
        Replication r = new Replication(dir);
        r.plaintext = true;
        r.targetAddress = target;
        try (SourceDaemon source = SourceDaemon.start(r.sourceConfig(volume, "disk0").build(), r.registry)) {
            throw new AssertionError("the source started against a v1 target: " + source.status());
        }
    }

    private static Frame decode(byte[] frame) {
        return FrameDecoder.decodeFrame(Unpooled.wrappedBuffer(frame));
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    /**
     * A receiver on 127.0.0.1 for one connection: it reads the first frame, writes what {@code
     * answer} makes of it, and collects the frames that follow until the source closes.
     */
    private static final class OneConnectionTarget implements AutoCloseable {
        final CompletableFuture<List<byte[]>> received = new CompletableFuture<>();
        private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());

        OneConnectionTarget(Function<byte[], byte[]> answer) throws IOException {
            Thread t = new Thread(() -> {
                List<byte[]> frames = new ArrayList<>();
                try (Socket socket = listener.accept(); DataInputStream in = new DataInputStream(socket.getInputStream())) {
                    socket.setSoTimeout(20_000);
                    frames.add(LoopbackProxy.readFrame(in));
                    socket.getOutputStream().write(answer.apply(frames.get(0)));
                    while (true) {
                        frames.add(LoopbackProxy.readFrame(in));
                    }
                } catch (EOFException e) {
                    received.complete(frames);
                } catch (IOException e) {
                    received.completeExceptionally(e);
                }
            }, "v1-target");
            t.setDaemon(true);
            t.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
