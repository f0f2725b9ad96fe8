package io.replicator.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TestPki;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameDecoder;
import io.replicator.protocol.wire.FrameEncoder;
import io.replicator.protocol.wire.Heartbeat;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SSLSocket;

/**
 * A source reduced to its handshake and its cutover report, over mutual TLS with a certificate of the
 * shared {@link TestPki}: what a source daemon sends its receiver when a cutover commits, for tests of
 * the receiver's records and commands. Not thread-safe: one connection, owned by the test thread.
 */
final class SealingSource implements AutoCloseable {
    static final VolumeInfo DISK0 = new VolumeInfo("disk0", 1 << 20, 4096);

    private final Socket socket;
    private final DataInputStream in;

    private SealingSource(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects to {@code target} as {@code sourceId} with volume {@link #DISK0}; returns the receiver's answer to its HELLO. */
    static SealingSource connect(InetSocketAddress target, String sourceId) throws IOException {
        Socket socket = TestPki.sockets(TestPki.shared().bundle(Role.SOURCE, sourceId))
                .createSocket(target.getAddress(), target.getPort());
        socket.setSoTimeout(20_000);
        ((SSLSocket) socket).startHandshake();
        SealingSource source = new SealingSource(socket);
        source.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                ProtocolVersion.SUPPORTED_FEATURES, sourceId, List.of(DISK0)));
        return source;
    }

    /** Connects as {@code sourceId}, sends a sealing report and returns the receiver's ack. */
    static CutoverReportAck seal(InetSocketAddress target, String sourceId, String reportId, String json,
                                 String markdown) throws IOException {
        try (SealingSource source = connect(target, sourceId)) {
            Frame hello = source.read();
            if (!(hello instanceof HelloAck)) {
                throw new AssertionError("expected HelloAck, got " + hello);
            }
            source.send(new CutoverReport(1, true, reportId, json, markdown));
            Frame frame;
            do {
                frame = source.read();
            } while (frame instanceof Ack || frame instanceof Heartbeat);
            if (!(frame instanceof CutoverReportAck ack)) {
                throw new AssertionError("expected CutoverReportAck, got " + frame);
            }
            return ack;
        }
    }

    void send(Frame frame) throws IOException {
        ByteBuf buf = FrameEncoder.encode(frame, Unpooled.buffer());
        try {
            buf.readBytes(socket.getOutputStream(), buf.readableBytes());
            socket.getOutputStream().flush();
        } finally {
            buf.release();
        }
    }

    Frame read() throws IOException {
        int length = in.readInt();
        byte[] frame = new byte[4 + length];
        java.nio.ByteBuffer.wrap(frame).putInt(length);
        in.readFully(frame, 4, length);
        return FrameDecoder.decodeFrame(Unpooled.wrappedBuffer(frame));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
