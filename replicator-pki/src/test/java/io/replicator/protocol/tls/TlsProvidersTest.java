package io.replicator.protocol.tls;

import static io.replicator.protocol.tls.TestPki.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCounted;
import io.replicator.protocol.tls.TlsProviders.Choice;
import io.replicator.protocol.tls.TlsProviders.OpenSslStatus;
import io.replicator.protocol.wire.NettyLeakExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The choice of provider from {@code replicator.tls.provider} and what OpenSSL offers; a JDK end and
 * an OpenSSL end talking to each other; what a client refused by an OpenSSL server is told; and that a
 * connection's OpenSSL engine (native memory, reference counted) is freed when its channel closes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(NettyLeakExtension.class)
class TlsProvidersTest {
    private static final OpenSslStatus USABLE = new OpenSslStatus(true, true, true, "BoringSSL", null);
    private static final OpenSslStatus NOT_LOADED = new OpenSslStatus(false, false, false, null,
            new UnsatisfiedLinkError("no netty_tcnative_linux_x86_64 in java.library.path"));

    @TempDir
    Path dir;

    @Test
    void shouldPickOpenSslByDefaultWhenItIsUsable() throws SSLException {
        for (String unset : new String[] {null, "", "auto", " AUTO "}) {
            Choice c = TlsProviders.choose(unset, USABLE);
            assertEquals(SslProvider.OPENSSL, c.provider(), unset);
            assertEquals("OpenSSL (BoringSSL)", c.name());
            assertFalse(c.fallback());
        }
    }

    @Test
    void shouldFallBackToTheJdkNamingWhyOpenSslIsNotUsable() throws SSLException {
        Choice c = TlsProviders.choose("auto", NOT_LOADED);
        assertEquals(SslProvider.JDK, c.provider());
        assertTrue(c.fallback());
        assertTrue(c.reason().contains("OpenSSL (netty-tcnative) is not available: java.lang.UnsatisfiedLinkError: "
                + "no netty_tcnative_linux_x86_64"), c.reason());
        Choice noTls13 = TlsProviders.choose(null, new OpenSslStatus(true, false, true, "OpenSSL 1.0.2", null));
        assertEquals(SslProvider.JDK, noTls13.provider());
        assertTrue(noTls13.reason().contains("OpenSSL (OpenSSL 1.0.2) does not support TLS 1.3"), noTls13.reason());
        Choice noKeyManagers = TlsProviders.choose(null, new OpenSslStatus(true, true, false, "LibreSSL", null));
        assertTrue(noKeyManagers.reason().contains("does not support key managers"), noKeyManagers.reason());
    }

    @Test
    void shouldUseTheJdkWhenForcedEvenIfOpenSslIsUsable() throws SSLException {
        Choice c = TlsProviders.choose("jdk", USABLE);
        assertEquals(SslProvider.JDK, c.provider());
        assertEquals("JDK (SunJSSE)", c.name());
        assertTrue(c.reason().contains("forced by -Dreplicator.tls.provider=jdk"), c.reason());
        assertEquals(SslProvider.OPENSSL, TlsProviders.choose("OpenSSL", USABLE).provider());
    }

    @Test
    void shouldFailClearlyWhenOpenSslIsForcedButNotAvailable() {
        SSLException e = assertThrows(SSLException.class, () -> TlsProviders.choose("openssl", NOT_LOADED));
        assertTrue(e.getMessage().startsWith("-Dreplicator.tls.provider=openssl, but OpenSSL (netty-tcnative) is not "
                + "available: java.lang.UnsatisfiedLinkError"), e.getMessage());
        SSLException bad = assertThrows(SSLException.class, () -> TlsProviders.choose("boringssl", USABLE));
        assertEquals("invalid -Dreplicator.tls.provider=boringssl (expected: auto, openssl or jdk)", bad.getMessage());
    }

    @Test
    void shouldReportTheProviderThisJvmUses() throws SSLException {
        assertEquals(TlsProviders.current().name(), TlsContexts.providerName());
        if (System.getProperty(TlsContexts.PROVIDER_PROPERTY) == null && OpenSsl.isAvailable()) {
            assertEquals(SslProvider.OPENSSL, TlsProviders.current().provider(), TlsProviders.current().reason());
        }
    }

    @Test
    void shouldConnectAJdkEndAndAnOpenSslEndBothWays() throws Exception {
        assumeOpenSsl();
        TestPki pki = new TestPki(dir, "ca");
        PkiBundle target = pki.bundle(Role.TARGET, "127.0.0.1", "target");
        PkiBundle source = pki.bundle(Role.SOURCE, "src-1", "source");
        for (SslProvider server : new SslProvider[] {SslProvider.JDK, SslProvider.OPENSSL}) {
            SslProvider clientProvider = server == SslProvider.JDK ? SslProvider.OPENSSL : SslProvider.JDK;
            try (TlsEchoServer s = new TlsEchoServer(TlsContexts.forServer(target, none(), server));
                    TlsEchoClient client = new TlsEchoClient()) {
                TlsEchoClient.Result r = client.exchange(TlsContexts.forClient(source, none(), clientProvider),
                        "127.0.0.1", s.port(), "ping");
                assertEquals("ping", r.echo(), () -> server + " server: " + messages(r.handshakeFailure()));
                TlsEchoServer.Outcome o = s.nextOutcome();
                assertNull(o.failure(), () -> messages(o.failure()));
                assertEquals("src-1", o.peer().id());
            }
        }
    }

    @Test
    void shouldTellAClientRefusedByAnOpenSslServerWhy() throws Exception {
        assumeOpenSsl();
        TestPki pki = new TestPki(dir, "ca");
        PkiBundle target = pki.bundle(Role.TARGET, "127.0.0.1", "target");
        PkiBundle stranger = new TestPki(dir, "other-ca").bundle(Role.SOURCE, "src-1", "stranger");
        Instant now = Instant.now();
        PkiBundle old = pki.bundle(Role.SOURCE, "src-old", "old", now.minus(Duration.ofDays(10)),
                now.minus(Duration.ofDays(1)));
        PkiBundle gone = pki.bundle(Role.SOURCE, "src-gone", "gone");
        pki.ca.revoke(gone.nodeCertificate().getSerialNumber());
        assertClientTold(target, pki::currentCrl, trustingTarget(stranger, target), ": not issued by the peer's CA");
        assertClientTold(target, pki::currentCrl, TlsContexts.forClient(old, none(), SslProvider.OPENSSL), ": expired");
        assertClientTold(target, pki::currentCrl, TlsContexts.forClient(gone, none(), SslProvider.OPENSSL), ": revoked");
    }

    @Test
    void shouldFreeTheOpenSslEngineWhenTheChannelCloses() throws Exception {
        assumeOpenSsl();
        PkiBundle source = new TestPki(dir, "ca").bundle(Role.SOURCE, "src-1", "source");
        SslContext context = TlsContexts.forClient(source, none(), SslProvider.OPENSSL);
        EmbeddedChannel ch = new EmbeddedChannel();
        SslHandler handler = TlsContexts.newClientHandler(context, ch.alloc(), "127.0.0.1", 7700);
        ch.pipeline().addLast(handler);
        ReferenceCounted engine = (ReferenceCounted) handler.engine();
        assertEquals(1, engine.refCnt());
        assertEquals("HTTPS", handler.engine().getSSLParameters().getEndpointIdentificationAlgorithm());
        ch.finishAndReleaseAll();
        assertEquals(0, engine.refCnt(), "the engine must be released with its handler");
    }

    /** A client of another CA that trusts the target's CA, on OpenSSL. */
    private static SslContext trustingTarget(PkiBundle stranger, PkiBundle target) throws SSLException {
        return io.netty.handler.ssl.SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .protocols(TlsContexts.TLS_1_3)
                .keyManager(new PinnedKeyManager(stranger.privateKey(), stranger.nodeCertificate()))
                .trustManager(target.caCertificate()).build();
    }

    private static void assertClientTold(PkiBundle target, Supplier<CrlCheck> crl, SslContext client, String why)
            throws Exception {
        try (TlsEchoServer server = new TlsEchoServer(TlsContexts.forServer(target, crl, SslProvider.OPENSSL));
                TlsEchoClient c = new TlsEchoClient()) {
            TlsEchoClient.Result r = c.exchange(client, "127.0.0.1", server.port(), "ping");
            assertNull(r.echo(), "a refused client must get no echo");
            assertNotNull(server.nextOutcome().failure());
            Throwable failure = r.handshakeFailure() != null ? r.handshakeFailure() : r.echoFailure();
            String told = TlsFailures.describe(failure);
            assertTrue(told.contains("the peer refused this end's certificate" + why), told);
        }
    }

    private static Supplier<CrlCheck> none() {
        return CrlCheck::none;
    }

    private static void assumeOpenSsl() {
        assumeTrue(OpenSsl.isAvailable(), () -> "OpenSSL (netty-tcnative) is not available: "
                + OpenSsl.unavailabilityCause());
    }
}
