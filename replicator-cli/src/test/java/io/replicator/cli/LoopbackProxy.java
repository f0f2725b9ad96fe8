package io.replicator.cli;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of a plain-TCP target: for each connection it accepts it opens
 * one to the target and hands both to {@link #connected}, whose pumps decide what passes. Closing
 * it closes every connection. Subclasses call {@link #start} at the end of their constructor. The
 * acceptor and the pumps run on daemon threads of their own.
 */
abstract class LoopbackProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    LoopbackProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** Starts accepting; called once the subclass is fully constructed. */
    protected final void start() {
        daemon(this::accept, "proxy-accept");
    }

    /** Pumps both ways between {@code source} and {@code upstream}, the {@code connection}-th accepted (from 1). */
    protected abstract void connected(Socket source, Socket upstream, int connection);

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** Connections accepted from the source so far. */
    int connections() {
        return accepted.get();
    }

    /** Closes every connection now; new ones are accepted as before. */
    void dropConnections() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket source = listener.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                sockets.add(source);
                sockets.add(upstream);
                connected(source, upstream, accepted.incrementAndGet());
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("proxy accept failed", e);
                }
            }
        }
    }

    /** One whole frame as it came, read by its length field: the length field, then that many bytes. */
    static byte[] readFrame(DataInputStream in) throws IOException {
        int length = in.readInt();
        byte[] frame = new byte[4 + length];
        ByteBuffer.wrap(frame).putInt(length);
        in.readFully(frame, 4, length);
        return frame;
    }

    protected static void daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    protected static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        dropConnections();
    }
}
