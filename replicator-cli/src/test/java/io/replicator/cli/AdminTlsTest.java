package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.AdminServer;
import io.replicator.admin.Json;
import io.replicator.protocol.tls.AdminClientTls;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An admin endpoint bound to a non-loopback address (here the wildcard, reached through 127.0.0.1)
 * speaks HTTPS and answers only clients with an admin certificate of the daemon's CA.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminTlsTest {
    private final TestPki pki = TestPki.shared();

    private static AdminServer wildcardEndpoint(PkiBundle daemon) throws IOException {
        return new AdminServer(new InetSocketAddress("0.0.0.0", 0), daemon)
                .route("/status", (method, body) -> new AdminServer.Reply(200,
                        Map.of("id", "web1", "state", "continuous")))
                .start();
    }

    private static InetSocketAddress viaLoopback(AdminServer server) {
        return new InetSocketAddress("127.0.0.1", server.address().getPort());
    }

    private AdminClient client(AdminServer server, Role role, String name) {
        return new AdminClient(viaLoopback(server), AdminClientTls.forClient(pki.bundle(role, name)));
    }

    @Test
    void shouldAnswerAnAdminCertificate() throws Exception {
        try (AdminServer server = wildcardEndpoint(pki.bundle(Role.TARGET, TestPki.TARGET_NAME))) {
            JsonNode status = client(server, Role.ADMIN, "ops").get("/status", 10_000);
            assertEquals("web1", status.path("id").asText());
        }
    }

    @Test
    void shouldTellTheRouteWhoAskedByTheAdminCertificatesName() throws Exception {
        try (AdminServer server = new AdminServer(new InetSocketAddress("0.0.0.0", 0),
                pki.bundle(Role.TARGET, TestPki.TARGET_NAME))
                .routeAsync("/who", (AdminServer.CallerRoute) (method, body, askedBy) ->
                        java.util.concurrent.CompletableFuture.completedFuture(new AdminServer.Reply(200,
                                Map.of("asked_by", askedBy))))
                .start()) {
            assertEquals("ops-admin", client(server, Role.ADMIN, "ops-admin").post("/who", Map.of(), 10_000)
                    .path("asked_by").asText());
        }
    }

    @Test
    void shouldServeHttpsWithASourceCertificateThatNamesTheHostDialed() throws Exception {
        // A source named by its address: the address is its IP subject alternative name.
        try (AdminServer server = wildcardEndpoint(pki.bundle(Role.SOURCE, "127.0.0.1"))) {
            assertEquals("continuous", client(server, Role.ADMIN, "ops").get("/status", 10_000).path("state").asText());
        }
    }

    @Test
    void shouldRefuseAClientWithoutACertificate() throws Exception {
        try (AdminServer server = wildcardEndpoint(pki.bundle(Role.TARGET, TestPki.TARGET_NAME))) {
            IOException e = assertThrows(IOException.class,
                    () -> new AdminClient(viaLoopback(server), null).get("/status", 10_000));
            assertTrue(e.getMessage().contains("requires HTTPS, pass --pki with an admin bundle"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseACertificateWhoseRoleIsNotAdmin() throws Exception {
        try (AdminServer server = wildcardEndpoint(pki.bundle(Role.TARGET, TestPki.TARGET_NAME))) {
            IOException e = assertThrows(IOException.class,
                    () -> client(server, Role.SOURCE, "web1").get("/status", 10_000));
            assertTrue(e.getMessage().contains("refused this client: client certificate of source 'web1'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("requires a certificate of role admin"), e.getMessage());
        }
    }

    @Test
    void shouldTalkHttpsFromTheCommandLineWithPki() throws Exception {
        try (AdminServer server = wildcardEndpoint(pki.bundle(Role.TARGET, TestPki.TARGET_NAME))) {
            String admin = "127.0.0.1:" + server.address().getPort();
            CliRun ok = CliRun.run("status", "--admin", admin, "--json", "--pki", pki.admin().toString());
            assertEquals(0, ok.exit(), ok.err());
            assertEquals("web1", Json.MAPPER.readTree(ok.out()).path("id").asText());
            CliRun.assertOneLineExit2(CliRun.run("status", "--admin", admin, "--json"), "requires HTTPS");
            CliRun.assertOneLineExit2(CliRun.run("status", "--admin", admin, "--pki", pki.source("web1").toString()),
                    "requires a certificate of role admin");
        }
    }

    @Test
    void shouldSpeakPlainHttpOnLoopback() throws Exception {
        try (AdminServer server = new AdminServer(new InetSocketAddress("127.0.0.1", 0), null)
                .route("/status", (method, body) -> new AdminServer.Reply(200, Map.of("id", "web1"))).start()) {
            assertEquals("web1", new AdminClient(server.address(), null).get("/status", 10_000).path("id").asText());
        }
    }

    @Test
    void shouldRefuseAnAdminCertificateRevokedWhileTheEndpointRuns(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        io.replicator.protocol.tls.CertificateAuthority ca = io.replicator.protocol.tls.CertificateAuthority.init(
                dir.resolve("ca"), 30);
        java.nio.file.Path daemonDir = dir.resolve("target");
        java.nio.file.Path adminDir = dir.resolve("admin");
        ca.issue(Role.TARGET, TestPki.TARGET_NAME, java.util.List.of(), 30, daemonDir);
        ca.issue(Role.ADMIN, "ops", java.util.List.of(), 30, adminDir);
        PkiBundle daemon = PkiBundle.load(daemonDir);
        PkiBundle admin = PkiBundle.load(adminDir);
        try (io.replicator.protocol.tls.CrlReloader crl = new io.replicator.protocol.tls.CrlReloader(daemon, 50);
             AdminServer server = new AdminServer(new InetSocketAddress("0.0.0.0", 0), daemon,
                     java.util.Optional.of(crl))
                     .route("/status", (method, body) -> new AdminServer.Reply(200, Map.of("state", "continuous")))
                     .start()) {
            AdminClient client = new AdminClient(viaLoopback(server), AdminClientTls.forClient(admin));
            assertEquals("continuous", client.get("/status", 10_000).path("state").asText());
            ca.revoke(admin.nodeCertificate());
            java.nio.file.Files.copy(ca.crlFile(), daemonDir.resolve(PkiBundle.CRL),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            crl.reloadNow().get(10, TimeUnit.SECONDS);
            IOException e = assertThrows(IOException.class, () -> client.get("/status", 10_000));
            assertTrue(e.getMessage().contains("revoked") || e.getMessage().contains("refused"), e.getMessage());
        }
    }

    @Test
    void shouldAnswerAnAdminWhileManyClientsTrickleBytesBeforeTheirHandshake() throws Exception {
        try (AdminServer server = wildcardEndpoint(pki.bundle(Role.TARGET, TestPki.TARGET_NAME))) {
            java.util.List<java.net.Socket> slow = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < AdminServer.MAX_CONNECTIONS + 8; i++) {
                    java.net.Socket s = new java.net.Socket("127.0.0.1", server.address().getPort());
                    s.getOutputStream().write(0x16);
                    s.getOutputStream().flush();
                    slow.add(s);
                }
                assertEquals("web1", client(server, Role.ADMIN, "ops").get("/status", 10_000).path("id").asText());
            } finally {
                for (java.net.Socket s : slow) {
                    s.close();
                }
            }
        }
    }
}
