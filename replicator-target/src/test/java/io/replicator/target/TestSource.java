package io.replicator.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replicator.protocol.tls.TestPki;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameDecoder;
import io.replicator.protocol.wire.FrameEncoder;
import io.replicator.protocol.wire.FrameEnvelope;
import io.replicator.protocol.wire.FrameType;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/** A blocking source for tests: a plain socket writing encoded frames and reading the answers. */
final class TestSource implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** The target's answer to the HELLO of {@link #connectWhenFree}. */
    HelloAck helloAck;

    private TestSource(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static TestSource connect(InetSocketAddress address) throws IOException {
        return connect(address, javax.net.SocketFactory.getDefault());
    }

    /** Connects with a receive buffer of about {@code receiveBufferBytes}: a peer that reads little, if at all. */
    static TestSource connectWithReceiveBuffer(InetSocketAddress address, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBufferBytes);
        socket.connect(address);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        return new TestSource(socket);
    }

    /** Connects with {@code sockets}: {@link TestPki#sockets} for mutual TLS (the handshake is done on return). */
    static TestSource connect(InetSocketAddress address, javax.net.SocketFactory sockets) throws IOException {
        Socket socket = sockets.createSocket(address.getAddress(), address.getPort());
        socket.setSoTimeout(20_000);
        if (socket instanceof javax.net.ssl.SSLSocket tls) {
            tls.startHandshake();
        }
        socket.setTcpNoDelay(true);
        return new TestSource(socket);
    }

    /**
     * Connects as {@code sourceId} once the target has let go of the id's previous connection: until
     * it has seen that connection close it refuses another (ALREADY_CONNECTED), and a source retries,
     * as here, for up to {@code timeoutMs}. Anything else than a HELLO_ACK or that refusal fails.
     */
    static TestSource connectWhenFree(InetSocketAddress address, String sourceId, long timeoutMs,
                                      VolumeInfo... volumes) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            TestSource source = connect(address);
            source.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                    ProtocolVersion.SUPPORTED_FEATURES, sourceId, List.of(volumes)));
            Frame frame = source.read();
            if (frame instanceof HelloAck ack) {
                source.helloAck = ack;
                return source;
            }
            source.close();
            if (!(frame instanceof ErrorFrame e && e.code() == ErrorCode.ALREADY_CONNECTED) || System.nanoTime() > deadline) {
                throw new AssertionError("expected HelloAck, got " + frame);
            }
            Thread.sleep(20);
        }
    }

    /** Sends {@code frame}; releases it when it is a block frame. */
    void send(Frame frame) throws IOException {
        out.write(encode(frame));
        out.flush();
    }

    /** The bytes of {@code frame} on the wire; releases it when it is a block frame. */
    static byte[] encode(Frame frame) {
        ByteBuf buf = Unpooled.buffer();
        try {
            FrameEncoder.encode(frame, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
            if (frame instanceof BlockFrame block) {
                block.release();
            }
        }
    }

    /** {@code frame} patched after encoding, its trailer computed again: what a hostile peer would send. */
    static byte[] reseal(byte[] frame) {
        CRC32C crc = new CRC32C();
        crc.update(frame, 0, frame.length - FrameEnvelope.TRAILER_LENGTH);
        ByteBuffer.wrap(frame).putInt(frame.length - FrameEnvelope.TRAILER_LENGTH, (int) crc.getValue());
        return frame;
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame; an error frame in the v1 envelope (no trailer) too, as the target answers a v1 peer. */
    Frame read() throws IOException {
        byte[] frame = readBytes();
        if (frame.length >= FrameEnvelope.HEADER_LENGTH && frame[FrameEnvelope.FLAGS_OFFSET] == 0
                && frame[FrameEnvelope.TYPE_OFFSET] == FrameType.ERROR.code()) {
            return ErrorFrame.decode(Unpooled.wrappedBuffer(frame).skipBytes(FrameEnvelope.HEADER_LENGTH));
        }
        return FrameDecoder.decodeFrame(Unpooled.wrappedBuffer(frame));
    }

    /** The next frame's bytes as they came, from the length field to the last byte. */
    byte[] readBytes() throws IOException {
        int length = in.readInt();
        byte[] frame = new byte[FrameEnvelope.LENGTH_FIELD_LENGTH + length];
        ByteBuffer.wrap(frame).putInt(length);
        in.readFully(frame, FrameEnvelope.LENGTH_FIELD_LENGTH, length);
        return frame;
    }

    <T extends Frame> T expect(Class<T> type) throws IOException {
        Frame frame = read();
        if (frame instanceof ErrorFrame error && type != ErrorFrame.class) {
            fail("expected " + type.getSimpleName() + ", got " + error);
        }
        return assertInstanceOf(type, frame);
    }

    HelloAck hello(String sourceId, VolumeInfo... volumes) throws IOException {
        return hello(sourceId, ProtocolVersion.SUPPORTED_FEATURES, volumes);
    }

    HelloAck hello(String sourceId, long features, VolumeInfo... volumes) throws IOException {
        send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED, features, sourceId,
                List.of(volumes)));
        return expect(HelloAck.class);
    }

    /** Reads acks until one covers {@code sequence}; fails on anything else. */
    Ack awaitAck(long sequence) throws IOException {
        while (true) {
            Ack ack = expect(Ack.class);
            if (ack.durableSequence() >= sequence) {
                return ack;
            }
        }
    }

    /** Reads past acks and heartbeats to the error frame, checks its code, then checks the target closed the connection. */
    ErrorFrame expectError(ErrorCode code) throws IOException {
        Frame frame;
        do {
            frame = read();
        } while (frame instanceof Ack || frame instanceof io.replicator.protocol.wire.Heartbeat);
        ErrorFrame error = assertInstanceOf(ErrorFrame.class, frame);
        assertEquals(code, error.code(), error.message());
        expectClosed();
        return error;
    }

    void expectClosed() throws IOException {
        try {
            Frame extra = read();
            fail("expected the connection to close, got " + extra);
        } catch (EOFException | SocketException e) {
            // closed, as expected
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
