package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.AdminToken;
import io.replicator.admin.Json;
import io.replicator.protocol.text.HostPort;
import io.replicator.protocol.tls.Plaintext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.security.cert.CertificateException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Talks to a daemon's {@link io.replicator.admin.AdminServer}: plain HTTP to a loopback address
 * only, or HTTPS with the admin's client certificate when given a TLS context. Without TLS a
 * non-loopback address is refused before anything is sent: the endpoint there speaks HTTPS, and an
 * answer over plain HTTP could come from anyone on the path. With TLS the context's trust manager
 * (see {@code AdminClientTls.forClient}) accepts only the certificate of the daemon dialed: the
 * URL carries the host as given ({@code --admin web1:7701} is checked against the name {@code
 * web1}). Redirects are not followed. Uses the JDK's plain {@link HttpURLConnection}: an admin
 * command starts, asks once and exits, and this client starts in a fraction of the time of {@code
 * java.net.http}. Thread-safe.
 */
public final class AdminClient {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private final InetSocketAddress address;
    private final SSLContext tls;
    /** The endpoint answered this client once: a connection it closes later is no protocol mismatch. */
    private volatile boolean answered;

    /**
     * A client of {@code address}; {@code tls} null for plain HTTP, which only a loopback address gets
     * (the requests of a client of another address fail before connecting).
     */
    public AdminClient(InetSocketAddress address, SSLContext tls) {
        this.address = address;
        this.tls = tls;
    }

    public JsonNode get(String path, long timeoutMs) throws IOException {
        return send("GET", path, null, timeoutMs, null);
    }

    public JsonNode post(String path, Object body, long timeoutMs) throws IOException {
        return send("POST", path, Json.MAPPER.writeValueAsBytes(body), timeoutMs, null);
    }

    /**
     * As {@link #post(String, Object, long)}, withdrawn when another thread calls {@code
     * withdrawal.withdraw()}: its connection is closed (the endpoint withdraws a request whose client
     * went away) and this throws.
     */
    public JsonNode post(String path, Object body, long timeoutMs, Withdrawal withdrawal) throws IOException {
        return send("POST", path, Json.MAPPER.writeValueAsBytes(body), timeoutMs, withdrawal);
    }

    /**
     * Withdraws one request from another thread: closes its connection, before or while it waits.
     * Thread-safe. The JDK opens a new connection when the one it used is closed between the
     * request's body and the answer (and then waits there for an answer to a request it never sent),
     * so a withdrawal closes the connection again every {@value #RECLOSE_MS} ms until the request
     * has ended.
     */
    public static final class Withdrawal {
        private static final long RECLOSE_MS = 20;
        private static final ScheduledExecutorService RECLOSER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "admin-request-withdrawal");
            t.setDaemon(true);
            return t;
        });

        private HttpURLConnection connection;
        private boolean withdrawn;
        private boolean ended;
        private ScheduledFuture<?> reclosing;

        public void withdraw() {
            synchronized (this) {
                if (withdrawn) {
                    return;
                }
                withdrawn = true;
                if (connection == null || ended) {
                    return;
                }
                reclosing = RECLOSER.scheduleWithFixedDelay(this::close, 0, RECLOSE_MS, TimeUnit.MILLISECONDS);
            }
        }

        public synchronized boolean withdrawn() {
            return withdrawn;
        }

        private void close() {
            HttpURLConnection c;
            synchronized (this) {
                if (ended) {
                    return;
                }
                c = connection;
            }
            c.disconnect();
        }

        private synchronized void attach(HttpURLConnection c) throws IOException {
            check();
            connection = c;
        }

        private synchronized void check() throws IOException {
            if (withdrawn) {
                throw new IOException("the request was withdrawn before it was sent");
            }
        }

        private synchronized void end() {
            ended = true;
            if (reclosing != null) {
                reclosing.cancel(false);
            }
        }
    }

    private HttpURLConnection open(String path) throws IOException {
        URL url = new URL((tls == null ? "http://" : "https://") + HostPort.asGiven(address) + path);
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setInstanceFollowRedirects(false);
        if (tls == null) {
            String token = AdminToken.read(address.getPort());
            if (token != null) {
                c.setRequestProperty("Authorization", AdminToken.HEADER_PREFIX + token);
            }
        }
        if (c instanceof HttpsURLConnection secure) {
            secure.setSSLSocketFactory(tls.getSocketFactory());
            // The trust manager has checked that the certificate names the URL's host, IP or name, in
            // its SANs or its CN; the JDK's verifier would look at the SANs only.
            secure.setHostnameVerifier((h, session) -> true);
        }
        return c;
    }

    private JsonNode send(String method, String path, byte[] body, long timeoutMs, Withdrawal withdrawal)
            throws IOException {
        String endpoint = HostPort.format(address);
        if (tls == null && !Plaintext.isLoopback(address)) {
            throw new IOException("refusing plain HTTP to the admin endpoint " + Plaintext.describe(address)
                    + ": it is not a loopback address (127.0.0.0/8 or ::1); pass --pki BUNDLE (made with "
                    + "'replicator pki issue --role admin') to talk HTTPS to it");
        }
        HttpURLConnection c = open(path);
        try {
            if (withdrawal != null) {
                withdrawal.attach(c);
            }
            c.setRequestMethod(method);
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
            if (body != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                c.setFixedLengthStreamingMode(body.length);
            }
            if (withdrawal != null) {
                // A withdrawal before the connection existed could not close it: it is seen here,
                // before the request is sent; one after this closes the connection.
                c.connect();
                withdrawal.check();
            }
            if (body != null) {
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            if (status >= 300 && status < 400) {
                throw new IOException("the admin endpoint " + endpoint + " answered HTTP " + status
                        + " (a redirect, to '" + c.getHeaderField("Location") + "'), which admin commands do not follow");
            }
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                if (in == null) {
                    throw new IOException("the admin endpoint " + endpoint + " answered HTTP " + status
                            + " with no body");
                }
                JsonNode answer = Json.MAPPER.readTree(in);
                answered = true;
                if (status == 401 || status == 403) {
                    throw new IOException("the admin endpoint " + endpoint + " refused this client: "
                            + answer.path("reason").asText());
                }
                return answer;
            }
        } catch (IOException e) {
            if (withdrawal != null && withdrawal.withdrawn()) {
                throw new IOException("withdrawn: the request to the admin endpoint " + endpoint + " was cancelled", e);
            }
            throw explained(e, endpoint, timeoutMs);
        } finally {
            if (withdrawal != null) {
                withdrawal.end();
            }
            c.disconnect();
        }
    }

    /** {@code e}, a failed request to {@code endpoint}, as an IOException whose message says what to do. */
    private IOException explained(IOException e, String endpoint, long timeoutMs) {
        if (e instanceof ConnectException) {
            return new IOException("cannot reach the admin endpoint " + endpoint
                    + " (is the daemon running, and is --admin right?)", e);
        }
        if (e instanceof SocketTimeoutException) {
            return new IOException("the admin endpoint " + endpoint + " did not answer within " + timeoutMs + " ms", e);
        }
        if (e instanceof SSLException ssl) {
            CertificateException refused = certificateRefusal(ssl);
            if (refused != null) {
                return new IOException("refusing the admin endpoint " + endpoint + ": " + refused.getMessage(), e);
            }
            return new IOException("TLS with the admin endpoint " + endpoint + " failed: " + e.getMessage()
                    + " (an endpoint on loopback speaks plain HTTP: drop --pki; elsewhere it needs --pki with an "
                    + "admin bundle of the daemon's CA)", e);
        }
        if (tls != null || e.getMessage() != null && e.getMessage().startsWith("the admin endpoint")) {
            return e;
        }
        if (answered) {
            return new IOException("the admin endpoint " + endpoint + " closed the connection (" + e.getMessage()
                    + ") before it answered: its daemon stopped (its log says why)", e);
        }
        return new IOException("the admin endpoint " + endpoint + " closed the connection (" + e.getMessage()
                + ") before it answered: an endpoint on a non-loopback address requires HTTPS, pass --pki with an "
                + "admin bundle; or the daemon stopped (its log says why)", e);
    }

    /** The refusal of the endpoint's certificate by this client's trust manager, if that is why TLS failed. */
    private static CertificateException certificateRefusal(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException refused) {
                return refused;
            }
        }
        return null;
    }
}
