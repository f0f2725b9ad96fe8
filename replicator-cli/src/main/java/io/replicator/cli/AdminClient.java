package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URL;

/**
 * Talks to a daemon's {@link AdminServer}. Uses the JDK's plain {@link HttpURLConnection}: an admin
 * command starts, asks once and exits, and this client starts in a fraction of the time of
 * {@code java.net.http}. Thread-safe.
 */
public final class AdminClient {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private final InetSocketAddress address;

    public AdminClient(InetSocketAddress address) {
        this.address = address;
    }

    public JsonNode get(String path, long timeoutMs) throws IOException {
        return send("GET", path, null, timeoutMs);
    }

    public JsonNode post(String path, Object body, long timeoutMs) throws IOException {
        return send("POST", path, Json.MAPPER.writeValueAsBytes(body), timeoutMs);
    }

    private JsonNode send(String method, String path, byte[] body, long timeoutMs) throws IOException {
        URL url = new URL("http://" + HostPort.format(address) + path);
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        try {
            c.setRequestMethod(method);
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
            if (body != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                c.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                if (in == null) {
                    throw new IOException("the admin endpoint " + HostPort.format(address) + " answered HTTP " + status
                            + " with no body");
                }
                return Json.MAPPER.readTree(in);
            }
        } catch (ConnectException e) {
            throw new IOException("cannot reach the admin endpoint " + HostPort.format(address)
                    + " (is the daemon running, and is --admin right?)", e);
        } catch (SocketTimeoutException e) {
            throw new IOException("the admin endpoint " + HostPort.format(address) + " did not answer within "
                    + timeoutMs + " ms", e);
        } finally {
            c.disconnect();
        }
    }
}
