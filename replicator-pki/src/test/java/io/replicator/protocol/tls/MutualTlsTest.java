package io.replicator.protocol.tls;

import static io.replicator.protocol.tls.TestPki.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.replicator.protocol.wire.NettyLeakExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mutual TLS 1.3 between bundles of one CA over loopback, and every way a peer is refused: another
 * CA, an expired or revoked certificate, no certificate, plaintext, a target certificate that does not
 * name the host dialed. Each refusal is asserted on its message (a server's as {@link TlsFailures}
 * words it for the log), and no refused peer gets an echo.
 * Every test runs on both providers (both ends on the same one); OpenSSL's runs are skipped, saying
 * why, only where netty-tcnative cannot load.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(NettyLeakExtension.class)
@ParameterizedClass(name = "{0}")
@EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
class MutualTlsTest {
    private static final String PING = "ping over TLS";

    @Parameter
    SslProvider provider;

    @TempDir
    Path dir;

    private TestPki pki;
    private PkiBundle target;
    private TlsEchoClient client;

    @BeforeEach
    void makePki() {
        assumeTrue(provider != SslProvider.OPENSSL || OpenSsl.isAvailable(),
                () -> "OpenSSL (netty-tcnative) is not available: " + OpenSsl.unavailabilityCause());
        pki = new TestPki(dir, "ca");
        target = pki.bundle(Role.TARGET, "127.0.0.1", "target");
        client = new TlsEchoClient();
    }

    @AfterEach
    void closeClient() throws InterruptedException {
        client.close();
    }

    private SslContext serverOf(PkiBundle bundle) throws Exception {
        CrlCheck crl = bundle.crlCheck();
        return TlsContexts.forServer(bundle, () -> crl, provider);
    }

    private SslContext clientOf(PkiBundle bundle) throws Exception {
        CrlCheck crl = bundle.crlCheck();
        return TlsContexts.forClient(bundle, () -> crl, provider);
    }

    @Test
    void shouldCompleteAMutualTls13HandshakeBetweenBundlesOfOneCa() throws Exception {
        PkiBundle source = pki.bundle(Role.SOURCE, "src-1", "source");
        try (TlsEchoServer server = new TlsEchoServer(serverOf(target))) {
            TlsEchoClient.Result r = client.exchange(clientOf(source), "127.0.0.1", server.port(), PING);
            TlsEchoServer.Outcome o = server.nextOutcome();
            assertNull(o.failure(), () -> messages(o.failure()));
            assertEquals("TLSv1.3", o.protocol());
            assertEquals(new PeerIdentity("src-1", Role.SOURCE, source.nodeCertificate().getSerialNumber()), o.peer());
            assertEquals(PING, r.echo(), () -> messages(r.echoFailure()));
            assertEquals("127.0.0.1", r.server().id());
            assertEquals(Role.TARGET, r.server().role());
        }
    }

    @Test
    void shouldRefuseAClientCertificateOfAnotherCa() throws Exception {
        PkiBundle stranger = new TestPki(dir, "other-ca").bundle(Role.SOURCE, "src-1", "stranger");
        // The stranger trusts the target's CA (it may have copied ca.crt) and presents its own certificate.
        SslContext strangerContext = SslContextBuilder.forClient().sslProvider(provider)
                .protocols(TlsContexts.TLS_1_3)
                .keyManager(new PinnedKeyManager(stranger.privateKey(), stranger.nodeCertificate()))
                .trustManager(target.caCertificate()).build();
        String refusal = refusedClient(strangerContext);
        assertTrue(refusal.contains("client certificate 'CN=src-1,OU=source'")
                && refusal.contains("not by the CA '" + target.caCertificate().getSubjectX500Principal().getName()),
                refusal);
    }

    @Test
    void shouldRefuseAnExpiredClientCertificateNamingItsDates() throws Exception {
        Instant now = Instant.now();
        PkiBundle old = pki.bundle(Role.SOURCE, "src-old", "old", now.minus(Duration.ofDays(10)),
                now.minus(Duration.ofDays(1)));
        String refusal = refusedClient(clientOf(old));
        assertTrue(refusal.contains("client certificate 'CN=src-old,OU=source'") && refusal.contains("expired on "
                + old.nodeCertificate().getNotAfter().toInstant()), refusal);
    }

    @Test
    void shouldRefuseARevokedClientCertificate() throws Exception {
        PkiBundle source = pki.bundle(Role.SOURCE, "src-gone", "source");
        pki.ca.revoke(source.nodeCertificate().getSerialNumber());
        CrlCheck crl = pki.currentCrl();
        assertTrue(crl.isRevoked(source.nodeCertificate().getSerialNumber()));
        assertTrue(crl.isRevoked(source.nodeCertificate()));
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.forServer(target, pki::currentCrl, provider))) {
            String refusal = refused(server, clientOf(source), "127.0.0.1");
            assertTrue(refusal.contains("client certificate 'CN=src-gone,OU=source' serial "
                    + source.nodeCertificate().getSerialNumber() + " is revoked"), refusal);
        }
    }

    @Test
    void shouldRefuseAClientWithoutCertificate() throws Exception {
        SslContext anonymous = SslContextBuilder.forClient().sslProvider(provider)
                .protocols(TlsContexts.TLS_1_3).trustManager(target.caCertificate()).build();
        String refusal = refusedClient(anonymous);
        assertTrue(refusal.contains("Empty client certificate chain"), refusal);
    }

    @Test
    void shouldRefuseAClientOfferingOnlyTls12() throws Exception {
        PkiBundle source = pki.bundle(Role.SOURCE, "src-1", "source");
        SslContext tls12 = SslContextBuilder.forClient().sslProvider(provider).protocols("TLSv1.2")
                .keyManager(source.privateKey(), source.nodeCertificate())
                .trustManager(target.caCertificate()).build();
        try (TlsEchoServer server = new TlsEchoServer(serverOf(target))) {
            TlsEchoClient.Result r = client.exchange(tls12, "127.0.0.1", server.port(), PING);
            assertNotNull(r.handshakeFailure(), "a TLS 1.2 client must not complete a handshake");
            String refusal = TlsFailures.describe(server.nextOutcome().failure());
            assertTrue(refusal.contains("protocol"), refusal);
        }
    }

    @Test
    void shouldRefusePlaintextSentToTheTlsServer() throws Exception {
        try (TlsEchoServer server = new TlsEchoServer(serverOf(target));
                Socket plain = new Socket("127.0.0.1", server.port())) {
            plain.setSoTimeout(10_000);
            OutputStream out = plain.getOutputStream();
            out.write("HELLO replicator v1 in plaintext\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            TlsEchoServer.Outcome o = server.nextOutcome();
            assertTrue(messages(o.failure()).contains("not an SSL/TLS record"), messages(o.failure()));
            InputStream in = plain.getInputStream();
            byte[] buf = new byte[256];
            int n;
            do {
                n = in.read(buf); // whatever alert bytes come before the close, then the end of the stream
            } while (n >= 0);
        }
    }

    @Test
    void shouldRefuseATargetCertificateThatDoesNotNameTheHostDialed() throws Exception {
        PkiBundle elsewhere = pki.bundle(Role.TARGET, "target.example", "elsewhere");
        PkiBundle source = pki.bundle(Role.SOURCE, "src-1", "source");
        try (TlsEchoServer server = new TlsEchoServer(serverOf(elsewhere))) {
            TlsEchoClient.Result r = client.exchange(clientOf(source), "127.0.0.1", server.port(), PING);
            assertNotNull(r.handshakeFailure(), "the client must refuse the target");
            String refusal = messages(r.handshakeFailure());
            assertTrue(refusal.contains("server certificate 'CN=target.example,OU=target'")
                    && refusal.contains("for host '127.0.0.1'") && refusal.contains("[DNS:target.example]"), refusal);
            assertNotNull(server.nextOutcome().failure());
        }
    }

    @Test
    void shouldAcceptATargetDialedByAnExtraSan() throws Exception {
        pki.ca.issue(Role.TARGET, "target.example", List.of("127.0.0.1"), 30, dir.resolve("extra"));
        PkiBundle extra = PkiBundle.load(dir.resolve("extra"));
        PkiBundle source = pki.bundle(Role.SOURCE, "src-1", "source");
        try (TlsEchoServer server = new TlsEchoServer(serverOf(extra))) {
            TlsEchoClient.Result r = client.exchange(clientOf(source), "127.0.0.1", server.port(), PING);
            assertEquals(PING, r.echo(), () -> messages(r.handshakeFailure()) + messages(r.echoFailure()));
            assertEquals("target.example", r.server().id());
        }
    }

    /** Runs {@code clientContext} against a server of {@link #target}; returns the refusal the server logs. */
    private String refusedClient(SslContext clientContext) throws Exception {
        try (TlsEchoServer server = new TlsEchoServer(serverOf(target))) {
            return refused(server, clientContext, "127.0.0.1");
        }
    }

    private String refused(TlsEchoServer server, SslContext clientContext, String host) throws Exception {
        TlsEchoClient.Result r = client.exchange(clientContext, host, server.port(), PING);
        assertNull(r.echo(), "a refused client must get no echo");
        TlsEchoServer.Outcome o = server.nextOutcome();
        assertNotNull(o.failure(), "the server must refuse the handshake");
        return TlsFailures.describe(o.failure());
    }
}
