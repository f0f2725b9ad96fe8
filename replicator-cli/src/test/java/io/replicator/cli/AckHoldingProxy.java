package io.replicator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between a source and a plain-TCP target that can hold traffic back:
 * {@link #hold} stops both directions of the connections open then (what the source sent last
 * reaches neither the target nor its disk), and on connections opened later lets the source's bytes
 * and the target's first reply (the handshake's answer) through, holding what the target sends
 * after it: the target receives and applies blocks, the source hears no acknowledgement. It can
 * also drop every connection, as a broken network would. Byte for byte otherwise.
 */
final class AckHoldingProxy extends LoopbackProxy {
    private final AtomicInteger handshakesPassed = new AtomicInteger();
    private final Object lock = new Object();
    private boolean holding;
    /** Connections up to this one (in order of acceptance) are held in both directions. */
    private int heldFully;

    AckHoldingProxy(InetSocketAddress target) throws IOException {
        super(target);
        start();
    }

    /** Holds traffic back as described above. */
    void hold() {
        synchronized (lock) {
            holding = true;
            heldFully = connections();
        }
    }

    /** Lets everything held and everything after it through. */
    void release() {
        synchronized (lock) {
            holding = false;
            lock.notifyAll();
        }
    }

    /** Connections whose first reply from the target reached the source. */
    int handshakesPassed() {
        return handshakesPassed.get();
    }

    @Override
    protected void connected(Socket source, Socket upstream, int connection) {
        pump(source, upstream, connection, false);
        pump(upstream, source, connection, true);
    }

    private void pump(Socket from, Socket to, int connection, boolean fromTarget) {
        daemon(() -> {
            byte[] buffer = new byte[64 << 10];
            boolean first = true;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    awaitRelease(from, connection, fromTarget && !first);
                    out.write(buffer, 0, n);
                    out.flush();
                    if (fromTarget && first) {
                        handshakesPassed.incrementAndGet();
                    }
                    first = false;
                }
            } catch (IOException | InterruptedException e) {
                // a dropped connection ends its pumps
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, fromTarget ? "proxy-from-target" : "proxy-to-target");
    }

    /** Waits while bytes read from {@code from} on {@code connection} are held. */
    private void awaitRelease(Socket from, int connection, boolean targetAfterFirstReply)
            throws InterruptedException, IOException {
        synchronized (lock) {
            while (holding && (connection <= heldFully || targetAfterFirstReply) && !from.isClosed()) {
                lock.wait(50);
            }
        }
        if (from.isClosed()) {
            throw new IOException("connection dropped while holding");
        }
    }
}
