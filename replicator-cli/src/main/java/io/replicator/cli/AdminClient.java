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
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Talks to a daemon's {@link AdminServer}: plain HTTP, or HTTPS with the admin's client certificate
 * when given a TLS context. Uses the JDK's plain {@link HttpURLConnection}: an admin command starts,
 * asks once and exits, and this client starts in a fraction of the time of {@code java.net.http}.
 * Thread-safe.
 */
public final class AdminClient {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private final InetSocketAddress address;
    private final SSLContext tls;

    /** A client of {@code address}; {@code tls} null for plain HTTP (an endpoint on loopback). */
    public AdminClient(InetSocketAddress address, SSLContext tls) {
        this.address = address;
        this.tls = tls;
    }

    public JsonNode get(String path, long timeoutMs) throws IOException {
        return send("GET", path, null, timeoutMs);
    }

    public JsonNode post(String path, Object body, long timeoutMs) throws IOException {
        return send("POST", path, Json.MAPPER.writeValueAsBytes(body), timeoutMs);
    }

    private HttpURLConnection open(String path) throws IOException {
        URL url = new URL((tls == null ? "http://" : "https://") + HostPort.format(address) + path);
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        if (tls == null) {
            String token = AdminToken.read(address.getPort());
            if (token != null) {
                c.setRequestProperty("Authorization", AdminToken.HEADER_PREFIX + token);
            }
        }
        if (c instanceof HttpsURLConnection secure) {
            secure.setSSLSocketFactory(tls.getSocketFactory());
            // The trust manager checks the daemon's CA and role; a source's certificate names no address.
            secure.setHostnameVerifier((host, session) -> true);
        }
        return c;
    }

    private JsonNode send(String method, String path, byte[] body, long timeoutMs) throws IOException {
        String endpoint = HostPort.format(address);
        HttpURLConnection c = open(path);
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
                    throw new IOException("the admin endpoint " + endpoint + " answered HTTP " + status
                            + " with no body");
                }
                JsonNode answer = Json.MAPPER.readTree(in);
                if (status == 401 || status == 403) {
                    throw new IOException("the admin endpoint " + endpoint + " refused this client: "
                            + answer.path("reason").asText());
                }
                return answer;
            }
        } catch (ConnectException e) {
            throw new IOException("cannot reach the admin endpoint " + endpoint
                    + " (is the daemon running, and is --admin right?)", e);
        } catch (SocketTimeoutException e) {
            throw new IOException("the admin endpoint " + endpoint + " did not answer within " + timeoutMs + " ms", e);
        } catch (SSLException e) {
            throw new IOException("TLS with the admin endpoint " + endpoint + " failed: " + e.getMessage()
                    + " (an endpoint on loopback speaks plain HTTP: drop --pki; elsewhere it needs --pki with an "
                    + "admin bundle of the daemon's CA)", e);
        } catch (IOException e) {
            if (tls != null || e.getMessage() != null && e.getMessage().startsWith("the admin endpoint")) {
                throw e;
            }
            throw new IOException("the admin endpoint " + endpoint + " closed the connection (" + e.getMessage()
                    + "): an endpoint on a non-loopback address requires HTTPS, pass --pki with an admin bundle", e);
        } finally {
            c.disconnect();
        }
    }
}
