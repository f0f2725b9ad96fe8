package io.replicator.protocol.tls;

import static io.replicator.protocol.tls.TestPki.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin endpoint's TLS, both ends over real sockets on 127.0.0.1: a tool accepts only the
 * certificate of the daemon it dialed (a daemon's role, a name that is the host dialed), and an
 * endpoint that follows a {@link CrlReloader} refuses a revoked admin at its next handshake and at its
 * next request on a connection made before the revocation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminTlsContextsTest {
    @TempDir
    Path dir;

    private TestPki pki;
    private PkiBundle admin;
    private final ExecutorService acceptor = Executors.newSingleThreadExecutor();

    @BeforeEach
    void issue() {
        pki = new TestPki(dir, "ca");
        admin = pki.bundle(Role.ADMIN, "ops", "admin");
    }

    @AfterEach
    void stop() {
        acceptor.shutdownNow();
    }

    /** A TLS connection from {@code client} to {@code server} dialed as {@code host}: both ends, handshake done. */
    private record Connection(SSLSocket client, Future<SSLSocket> server) implements AutoCloseable {
        SSLSession serverSession() throws Exception {
            return server.get(30, TimeUnit.SECONDS).getSession();
        }

        @Override
        public void close() throws Exception {
            client.close();
            if (server.isDone() && !server.isCancelled()) {
                try {
                    server.get().close();
                } catch (java.util.concurrent.ExecutionException refused) {
                    // the server side failed its handshake: nothing to close
                }
            }
        }
    }

    /** A connection whose server end is handshaking and whose client end has not started yet. */
    private Connection open(SSLServerSocket listener, SSLContext client, String host) throws IOException {
        Future<SSLSocket> accepted = acceptor.submit(() -> {
            SSLSocket s = (SSLSocket) listener.accept();
            s.setSoTimeout(30_000);
            s.startHandshake();
            return s;
        });
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(host, listener.getLocalPort());
        socket.setSoTimeout(30_000);
        return new Connection(socket, accepted);
    }

    /** A connection whose client end has finished its handshake (TLS 1.3: before the server checks the client). */
    private Connection connect(SSLServerSocket listener, SSLContext client, String host) throws Exception {
        Connection c = open(listener, client, host);
        try {
            c.client().startHandshake();
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    private static SSLServerSocket listen(SSLContext server) throws IOException {
        SSLServerSocket s = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 8,
                InetAddress.getByName("127.0.0.1"));
        s.setSSLParameters(AdminTlsContexts.serverParameters(server));
        return s;
    }

    /** What the tool says when it refuses the endpoint {@code daemon} dialed as {@code host}. */
    private String refusedEndpoint(PkiBundle daemon, String host) throws Exception {
        try (SSLServerSocket listener = listen(AdminTlsContexts.forServer(daemon))) {
            return messages(assertThrows(IOException.class,
                    () -> connect(listener, AdminClientTls.forClient(admin), host).close()));
        }
    }

    @Test
    void shouldRefuseAnEndpointPresentingASourceCertificateOfAnotherName() throws Exception {
        String refusal = refusedEndpoint(pki.bundle(Role.SOURCE, "web1", "web1"), "127.0.0.1");
        assertTrue(refusal.contains("admin endpoint certificate 'CN=web1,OU=source'")
                && refusal.contains("refused for host '127.0.0.1'") && refusal.contains("[DNS:web1, CN:web1]"), refusal);
    }

    @Test
    void shouldRefuseAnEndpointPresentingATargetCertificateOfAnotherHost() throws Exception {
        String refusal = refusedEndpoint(pki.bundle(Role.TARGET, "replica.example", "t"), "127.0.0.1");
        assertTrue(refusal.contains("'CN=replica.example,OU=target'") && refusal.contains("not the host dialed")
                && refusal.contains("--san 127.0.0.1"), refusal);
    }

    @Test
    void shouldRefuseAnEndpointPresentingAnAdminCertificate() throws Exception {
        pki.ca.issue(Role.ADMIN, "127.0.0.1", List.of("127.0.0.1"), 30, dir.resolve("admin-as-endpoint"));
        String refusal = refusedEndpoint(PkiBundle.load(dir.resolve("admin-as-endpoint")), "127.0.0.1");
        assertTrue(refusal.contains("its role is admin (expected: source or target"), refusal);
    }

    @Test
    void shouldAcceptTheDaemonDialedByItsAddressOrItsName() throws Exception {
        pki.ca.issue(Role.SOURCE, "web1", List.of("127.0.0.1", "localhost"), 30, dir.resolve("web1"));
        PkiBundle source = PkiBundle.load(dir.resolve("web1"));
        for (PkiBundle daemon : List.of(pki.bundle(Role.TARGET, "127.0.0.1", "t"), source)) {
            try (SSLServerSocket listener = listen(AdminTlsContexts.forServer(daemon));
                    Connection c = connect(listener, AdminClientTls.forClient(admin), "127.0.0.1")) {
                assertEquals(daemon.identity(), TlsContexts.peerIdentity(c.client().getSession()));
                assertEquals(Role.ADMIN, AdminTlsContexts.requireAdmin(c.serverSession(), CrlCheck.none()).role());
            }
        }
        try (SSLServerSocket listener = listen(AdminTlsContexts.forServer(source));
                Connection c = connect(listener, AdminClientTls.forClient(admin), "localhost")) {
            assertEquals("web1", TlsContexts.peerIdentity(c.client().getSession()).id());
        }
    }

    @Test
    void shouldMatchTheHostDialedAgainstTheSansAndTheCn() {
        pki.ca.issue(Role.SOURCE, "Web1.Example", List.of("10.0.0.7", "::1"), 30, dir.resolve("s"));
        X509Certificate cert = PkiBundle.load(dir.resolve("s")).nodeCertificate();
        for (String host : List.of("web1.example", "WEB1.example.", "10.0.0.7", "::1", "[::1]", "0:0:0:0:0:0:0:1")) {
            assertTrue(Certificates.namesHost(cert, host), host);
        }
        for (String host : List.of("web1", "example", "10.0.0.8", "127.0.0.1", "10.0.0.7.example")) {
            assertFalse(Certificates.namesHost(cert, host), host);
        }
        assertEquals(List.of("Web1.Example", "10.0.0.7", "0:0:0:0:0:0:0:1"), AdminClientTls.endpointNames(cert));
        pki.ca.issue(Role.SOURCE, "db_01", List.of(), 30, dir.resolve("old"));
        assertTrue(Certificates.namesHost(PkiBundle.load(dir.resolve("old")).nodeCertificate(), "db_01"),
                "a certificate without SANs is dialed by its CN");
    }

    @Test
    void shouldRefuseARevokedAdminAtItsNextRequestAndHandshake() throws Exception {
        PkiBundle daemon = pki.bundle(Role.TARGET, "127.0.0.1", "daemon");
        try (CrlReloader crl = new CrlReloader(daemon, TimeUnit.HOURS.toMillis(1));
                SSLServerSocket listener = listen(AdminTlsContexts.forServer(daemon, crl))) {
            SSLContext tool = AdminClientTls.forClient(admin);
            try (Connection before = connect(listener, tool, "127.0.0.1")) {
                SSLSession session = before.serverSession();
                assertEquals("ops", AdminTlsContexts.requireAdmin(session, crl.current()).id());

                pki.ca.revoke(admin.nodeCertificate());
                PemWriter.writeCrl(daemon.dir().resolve(PkiBundle.CRL), pki.ca.currentCrl());
                crl.reloadNow().get(30, TimeUnit.SECONDS); // what SIGHUP does; a file change does it within a poll

                String refusal = assertThrows(SSLPeerUnverifiedException.class,
                        () -> AdminTlsContexts.requireAdmin(session, crl.current())).getMessage();
                assertEquals("client certificate 'CN=ops,OU=admin' serial " + admin.identity().serial()
                        + " is revoked: the CA's CRL lists it since "
                        + crl.current().revokedAt(admin.identity().serial()).orElseThrow(), refusal);
            }
            try (Connection after = open(listener, tool, "127.0.0.1")) {
                // The client's end may finish or hear the alert first: TLS 1.3 checks the client last.
                String clientSide = messages(assertThrows(IOException.class, () -> {
                    after.client().startHandshake();
                    after.client().getInputStream().read();
                }));
                String refusal = messages(assertThrows(Exception.class, after::serverSession));
                assertTrue(refusal.contains("client certificate 'CN=ops,OU=admin'") && refusal.contains("is revoked"),
                        refusal + " / the tool heard: " + clientSide);
            }
        }
    }

    @Test
    void shouldRefuseAClientWhoseRoleIsNotAdminPerRequest() throws Exception {
        PkiBundle daemon = pki.bundle(Role.TARGET, "127.0.0.1", "daemon");
        PkiBundle source = pki.bundle(Role.SOURCE, "web1", "web1");
        try (SSLServerSocket listener = listen(AdminTlsContexts.forServer(daemon));
                Connection c = connect(listener, AdminClientTls.forClient(source), "127.0.0.1")) {
            String refusal = assertThrows(SSLPeerUnverifiedException.class,
                    () -> AdminTlsContexts.requireAdmin(c.serverSession(), daemon.crlCheck())).getMessage();
            assertTrue(refusal.contains("requires a certificate of role admin"), refusal);
        }
    }
}
