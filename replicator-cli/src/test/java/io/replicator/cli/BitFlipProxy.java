package io.replicator.cli;

import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.FrameType;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on loopback between a source and a plain-TCP target that passes whole frames (it
 * reads each one's length field) and, once {@link #arm armed}, flips one bit of the next frame of
 * one type going one way, as a faulty NIC, switch or middlebox would, once. It records the error
 * frames it passes either way. Byte for byte otherwise.
 */
final class BitFlipProxy extends LoopbackProxy {
    /** The envelope's header in front of every body: length u32, type u8, flags u8 (docs/protocol.md). */
    static final int BODY_OFFSET = 6;
    private static final int TYPE_OFFSET = 4;

    /** Bit {@code bit} (0 the lowest) of byte {@code byteInFrame} of the next {@code type} frame going {@code toTarget}. */
    record Flip(boolean toTarget, FrameType type, int byteInFrame, int bit) {
    }

    /** An error frame the proxy passed on. */
    record SeenError(boolean fromTarget, ErrorCode code, String message) {
    }

    private final List<SeenError> errors = new CopyOnWriteArrayList<>();
    private final AtomicReference<Flip> armed = new AtomicReference<>();
    private final AtomicInteger flips = new AtomicInteger();

    BitFlipProxy(InetSocketAddress target) throws IOException {
        super(target);
        start();
    }

    /** Flips {@code flip} in the next frame that matches it, then passes everything on again. */
    void arm(Flip flip) {
        armed.set(flip);
    }

    /** How many frames had a bit flipped. */
    int flips() {
        return flips.get();
    }

    List<SeenError> errors() {
        return List.copyOf(errors);
    }

    @Override
    protected void connected(Socket source, Socket upstream, int connection) {
        pump(source, upstream, true);
        pump(upstream, source, false);
    }

    private void pump(Socket from, Socket to, boolean toTarget) {
        daemon(() -> {
            try (DataInputStream in = new DataInputStream(from.getInputStream()); OutputStream out = to.getOutputStream()) {
                while (true) {
                    byte[] frame = readFrame(in);
                    Flip flip = armed.get();
                    if (flip != null && flip.toTarget() == toTarget && flip.type().code() == frame[TYPE_OFFSET]
                            && armed.compareAndSet(flip, null)) {
                        frame[flip.byteInFrame()] ^= (byte) (1 << flip.bit());
                        flips.incrementAndGet();
                    }
                    if (frame[TYPE_OFFSET] == FrameType.ERROR.code()) {
                        errors.add(error(frame, !toTarget));
                    }
                    out.write(frame);
                    out.flush();
                }
            } catch (IOException e) {
                // the sender closed, or a dropped connection ended the pumps
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, toTarget ? "flip-proxy-to-target" : "flip-proxy-from-target");
    }

    /** The code and message of an error frame's body: u16 code, u16 message length, UTF-8. */
    private static SeenError error(byte[] frame, boolean fromTarget) {
        ByteBuffer body = ByteBuffer.wrap(frame, BODY_OFFSET, frame.length - BODY_OFFSET);
        ErrorCode code = ErrorCode.forCode(Short.toUnsignedInt(body.getShort()));
        int messageBytes = Math.min(Short.toUnsignedInt(body.getShort()), body.remaining());
        return new SeenError(fromTarget, code, new String(frame, body.position(), messageBytes, StandardCharsets.UTF_8));
    }
}
