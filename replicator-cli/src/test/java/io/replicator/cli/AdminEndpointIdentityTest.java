package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.replicator.admin.Json;
import io.replicator.protocol.tls.AdminClientTls;
import io.replicator.protocol.tls.AdminTlsContexts;
import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin commands talk only to the daemon they dialed. A fake admin endpoint on 127.0.0.1 that
 * answers every cutover with "verified" is refused when it holds a certificate of the same CA that is
 * not the dialed daemon's (a source's of another name, a target's of another host), and a plain-HTTP
 * address off loopback is refused before anything is sent (0.0.0.0 here: Linux connects it to
 * 127.0.0.1, where the fake listens, so nothing leaves the machine).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminEndpointIdentityTest {
    /** What a fake endpoint answers: a cutover that verified every volume. */
    private static final String VERIFIED = "{\"result\":\"ok\",\"verified\":true,\"downtime_ms\":1,"
            + "\"final_sync_bytes\":0,\"volumes\":[],\"id\":\"web1\",\"state\":\"continuous\"}";

    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private Path admin;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void issue() {
        ca = CertificateAuthority.init(dir.resolve("ca"), 30);
        admin = bundle(Role.ADMIN, "ops");
    }

    private Path bundle(Role role, String name, String... sans) {
        Path out = dir.resolve(role.label() + "-" + name);
        ca.issue(role, name, List.of(sans), 30, out);
        return out;
    }

    /** An HTTPS endpoint on 127.0.0.1 presenting {@code certificate}, answering every request with {@link #VERIFIED}. */
    private HttpServer fakeHttps(Path certificate) throws IOException {
        SSLContext context = AdminTlsContexts.forServer(PkiBundle.load(certificate));
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(AdminTlsContexts.serverParameters(context));
            }
        });
        return serveVerified(server);
    }

    private HttpServer fakePlain() throws IOException {
        return serveVerified(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8));
    }

    private HttpServer serveVerified(HttpServer server) {
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = VERIFIED.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    private static String loopback(HttpServer server) {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private CliRun cutover(String address, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("cutover", "--admin", address, "--timeout", "5s"));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void shouldRefuseAFakeEndpointHoldingASourceCertificateOfTheSameCa() throws Exception {
        HttpServer fake = fakeHttps(bundle(Role.SOURCE, "web1"));
        try {
            CliRun r = cutover(loopback(fake), "--pki", admin.toString());
            CliRun.assertOneLineExit2(r, "admin endpoint certificate 'CN=web1,OU=source'");
            assertTrue(r.err().contains("refused for host '127.0.0.1'"), r.err());
            assertFalse(r.out().contains("verified"), r.out());
            assertEquals(0, requests.get(), "no request reaches an endpoint that is not the daemon dialed");
        } finally {
            fake.stop(0);
        }
    }

    @Test
    void shouldRefuseAFakeEndpointHoldingATargetCertificateOfAnotherHost() throws Exception {
        HttpServer fake = fakeHttps(bundle(Role.TARGET, "replica.example"));
        try {
            IOException e = assertThrows(IOException.class, () -> new AdminClient(fake.getAddress(),
                    AdminClientTls.forClient(PkiBundle.load(admin))).post("/cutover", Map.of(), 5_000));
            assertTrue(e.getMessage().startsWith("refusing the admin endpoint " + loopback(fake) + ": admin endpoint "
                    + "certificate 'CN=replica.example,OU=target'"), e.getMessage());
            assertTrue(e.getMessage().contains("it names [DNS:replica.example, CN:replica.example], not the host "
                    + "dialed"), e.getMessage());
            CliRun r = cutover(loopback(fake), "--pki", admin.toString());
            CliRun.assertOneLineExit2(r, "refused for host '127.0.0.1'");
            assertEquals(0, requests.get());
        } finally {
            fake.stop(0);
        }
    }

    @Test
    void shouldAnswerTheDaemonDialedByANameItsCertificateHolds() throws Exception {
        for (Path daemon : List.of(bundle(Role.TARGET, "127.0.0.1"), bundle(Role.SOURCE, "web1", "127.0.0.1"))) {
            HttpServer endpoint = fakeHttps(daemon);
            try {
                CliRun r = CliRun.run("status", "--admin", loopback(endpoint), "--json", "--pki", admin.toString());
                assertEquals(0, r.exit(), r.err());
                assertEquals("web1", Json.MAPPER.readTree(r.out()).path("id").asText());
            } finally {
                endpoint.stop(0);
            }
        }
    }

    @Test
    void shouldRefusePlainHttpOffLoopbackBeforeConnecting() throws Exception {
        HttpServer fake = fakePlain();
        try {
            String wildcard = "0.0.0.0:" + fake.getAddress().getPort();
            IOException e = assertThrows(IOException.class, () -> new AdminClient(
                    new InetSocketAddress("0.0.0.0", fake.getAddress().getPort()), null).post("/cutover", Map.of(), 5_000));
            assertEquals("refusing plain HTTP to the admin endpoint " + wildcard + ": it is not a loopback address "
                    + "(127.0.0.0/8 or ::1); pass --pki BUNDLE (made with 'replicator pki issue --role admin') to talk "
                    + "HTTPS to it", e.getMessage());
            CliRun r = cutover(wildcard);
            CliRun.assertOneLineExit2(r, "refusing plain HTTP to the admin endpoint " + wildcard);
            assertTrue(r.err().contains("pass --pki BUNDLE"), r.err());
            assertFalse(r.out().contains("verified"), r.out());
            assertEquals(0, requests.get(), "nothing was sent");
            assertEquals(0, CliRun.run("status", "--admin", loopback(fake), "--json").exit(), "loopback stays plain");
        } finally {
            fake.stop(0);
        }
    }
}
