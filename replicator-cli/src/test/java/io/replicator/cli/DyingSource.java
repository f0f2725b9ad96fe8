package io.replicator.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A source daemon's admin endpoint that dies during the prepare of a cutover, as a daemon killed
 * with SIGKILL would: it answers {@code /status} and {@code /sync} (plain HTTP on 127.0.0.1, one
 * request a connection), and on {@code /cutover/prepare} resets that connection and stops
 * listening, so that every later request is refused. Thread-safe.
 */
final class DyingSource implements AutoCloseable {
    private final String id;
    private final ServerSocket listener;
    private final Thread acceptor;

    DyingSource(String id) throws IOException {
        this.id = id;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::serve, "dying-source-" + id);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", listener.getLocalPort());
    }

    private void serve() {
        while (!listener.isClosed()) {
            try (Socket s = listener.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                String path = in.readLine().split(" ")[1];
                int length = 0;
                for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                    if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).trim());
                    }
                }
                in.skip(length);
                if (path.equals("/cutover/prepare")) {
                    s.setSoLinger(true, 0);
                    listener.close();
                    return;
                }
                String body = path.equals("/status") ? "{\"schema\":2,\"id\":\"" + id + "\",\"state\":\"continuous\"}"
                        : "{\"schema\":2,\"result\":\"ok\"}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                        + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(bytes);
                out.flush();
            } catch (IOException | RuntimeException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
