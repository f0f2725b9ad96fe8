package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.admin.AdminServer;
import io.replicator.admin.AdminToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin endpoint on loopback answers only the daemon's own user through its own address: a
 * request without the token, with a foreign Host, with an Origin or with a body that is not JSON is
 * refused before any route sees it, and clients that trickle bytes cannot keep others out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminEndpointSecurityTest {
    private AdminServer server;
    private final AtomicInteger cutovers = new AtomicInteger();

    @BeforeEach
    void startEndpoint() throws IOException {
        server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), null)
                .route("/status", (method, body) -> new AdminServer.Reply(200, Map.of("state", "continuous")))
                .routeAsync("/cutover", (method, body) -> {
                    cutovers.incrementAndGet();
                    return CompletableFuture.completedFuture(new AdminServer.Reply(200, Map.of("result", "ok")));
                })
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int port() {
        return server.address().getPort();
    }

    /** Sends {@code request} as it is on a new connection and returns the status line. */
    private String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readNBytes(512), StandardCharsets.ISO_8859_1);
            return answer.lines().findFirst().orElse("");
        }
    }

    private String post(String host, String extraHeaders, String contentType, boolean withToken) throws IOException {
        String body = "{}";
        return raw("POST /cutover HTTP/1.1\r\nHost: " + host + "\r\n"
                + (withToken ? "Authorization: Bearer " + AdminToken.read(port()) + "\r\n" : "")
                + extraHeaders + "Content-Type: " + contentType + "\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body);
    }

    @Test
    void shouldAnswerTheDaemonsOwnUserThroughItsOwnAddress() throws IOException {
        assertTrue(post("127.0.0.1:" + port(), "", "application/json", true).contains(" 200 "));
        assertEquals(1, cutovers.get());
        assertEquals("continuous", new AdminClient(server.address(), null).get("/status", 5_000).path("state").asText());
    }

    @Test
    void shouldRefuseARequestWithoutTheToken() throws IOException {
        assertTrue(post("127.0.0.1:" + port(), "", "application/json", false).contains(" 401 "));
        assertTrue(raw("GET /status HTTP/1.1\r\nHost: 127.0.0.1:" + port() + "\r\nConnection: close\r\n\r\n")
                .contains(" 401 "));
        assertEquals(0, cutovers.get());
    }

    @Test
    void shouldRefuseAForeignHostAnOriginAndABodyThatIsNotJson() throws IOException {
        assertTrue(post("attacker.example", "", "application/json", true).contains(" 421 "));
        assertTrue(post("127.0.0.1:" + port(), "Origin: http://attacker.example\r\n", "application/json", true)
                .contains(" 403 "));
        assertTrue(post("127.0.0.1:" + port(), "", "text/plain", true).contains(" 415 "));
        assertEquals(0, cutovers.get());
    }

    @Test
    void shouldKeepTheTokenWhereOnlyTheDaemonsUserCanReadIt() throws IOException {
        var file = AdminToken.file(port());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    }

    @Test
    void shouldAnswerStatusWhileManyClientsTrickleBytes() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < AdminServer.MAX_CONNECTIONS + 8; i++) {
                Socket s = new Socket("127.0.0.1", port());
                s.getOutputStream().write('G');
                s.getOutputStream().flush();
                slow.add(s);
            }
            long startNs = System.nanoTime();
            assertEquals("continuous", new AdminClient(server.address(), null).get("/status", 5_000)
                    .path("state").asText());
            System.out.printf("status answered in %d ms with %d connections trickling bytes%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), slow.size());
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }
}
