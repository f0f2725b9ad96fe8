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
 * also drop every connection, as a broken network would, and hold what the target sends after its
 * next acknowledgement of a cutover's barrier ({@link #holdAfterNextBarrierAck}: its probe is answered,
 * nothing after it). Byte for byte otherwise.
 */
final class AckHoldingProxy extends LoopbackProxy {
    private final AtomicInteger handshakesPassed = new AtomicInteger();
    private final Object lock = new Object();
    private boolean holding;
    /** Connections up to this one (in order of acceptance) are held in both directions. */
    private int heldFully;
    /** Armed: the next BARRIER_ACK frame from the target passes, then the target's bytes are held. */
    private volatile boolean gateArmed;
    private volatile boolean gateClosed;

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
            gateArmed = false;
            gateClosed = false;
            lock.notifyAll();
        }
    }

    /**
     * Lets the target's next BARRIER_ACK frame through and then holds everything the target sends
     * (on every connection) until {@link #release}. Frames are found by their length field (u32,
     * big-endian, counting the bytes after it) and type byte: this proxy speaks plain TCP only.
     */
    void holdAfterNextBarrierAck() {
        gateArmed = true;
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
                FrameCursor frames = new FrameCursor();
                while ((n = in.read(buffer)) > 0) {
                    awaitRelease(from, connection, fromTarget && !first);
                    int off = 0;
                    int end = fromTarget ? frames.endOfBarrierAck(buffer, n, gateArmed) : -1;
                    if (end >= 0) {
                        out.write(buffer, 0, end);
                        out.flush();
                        synchronized (lock) {
                            gateClosed = true;
                            gateArmed = false;
                        }
                        awaitGate(from);
                        off = end;
                    }
                    out.write(buffer, off, n - off);
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

    private void awaitGate(Socket from) throws InterruptedException, IOException {
        synchronized (lock) {
            while (gateClosed && !from.isClosed()) {
                lock.wait(50);
            }
        }
        if (from.isClosed()) {
            throw new IOException("connection dropped while holding");
        }
    }

    /** Follows the frames of one direction by their length field, to find where a BARRIER_ACK ends. */
    private static final class FrameCursor {
        private static final int BARRIER_ACK = 6;
        /** A sync's barriers are numbered from 2^62 (SyncWaiters.FIRST_BARRIER_ID); a cutover's from 1. */
        private static final int SYNC_BARRIER_HIGH_BYTE = 0x40;
        private final byte[] header = new byte[5];
        private int headerBytes;
        private long bodyLeft;
        private long bodyRead;
        private int idHighByte;
        private int type;

        /**
         * Where in {@code buffer[0, n)} the first BARRIER_ACK frame of a cutover's barrier ends, when {@code armed};
         * else -1 (a sync's barrier, such as the wave's catch-up sync before the cutover, passes). Always advances.
         */
        int endOfBarrierAck(byte[] buffer, int n, boolean armed) {
            int found = -1;
            int i = 0;
            while (i < n) {
                if (headerBytes < header.length) {
                    header[headerBytes++] = buffer[i++];
                    if (headerBytes == header.length) {
                        long length = ((header[0] & 0xFFL) << 24) | ((header[1] & 0xFF) << 16)
                                | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                        type = header[4] & 0xFF;
                        bodyLeft = length - 1;
                        bodyRead = 0;
                    }
                } else {
                    if (type == BARRIER_ACK && bodyRead == 1) {
                        idHighByte = buffer[i] & 0xFF; // after the flags: the barrier id's most significant byte
                    }
                    int take = type == BARRIER_ACK && bodyRead < 2 ? 1 : (int) Math.min(bodyLeft, n - i);
                    i += take;
                    bodyLeft -= take;
                    bodyRead += take;
                }
                if (headerBytes == header.length && bodyLeft == 0) {
                    headerBytes = 0;
                    if (armed && type == BARRIER_ACK && idHighByte < SYNC_BARRIER_HIGH_BYTE && found < 0) {
                        found = i;
                    }
                }
            }
            return found;
        }
    }
}
