package io.replicator.protocol.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Netty {@link SslContext}s for the replication connections: TLS 1.3 only, the node's certificate
 * presented on both sides, and only the bundle's CA trusted (see {@code PeerTrustManager} for what a
 * peer's certificate must pass). Servers require a client certificate. Clients must make their
 * handlers with {@link #newClientHandler}, which turns on host name verification.
 *
 * <p>The contexts run on OpenSSL (BoringSSL through netty-tcnative, native AES-GCM) when it is
 * available, else on the JDK's provider; the system property {@code replicator.tls.provider}
 * ({@code auto}, the default, {@code openssl} or {@code jdk}) forces one, and {@link #providerName()}
 * tells which is used. The checks and their messages are the same on both. Stateless; the contexts
 * are thread-safe and meant to be shared by every connection.
 */
public final class TlsContexts {
    public static final String TLS_1_3 = "TLSv1.3";
    /** The system property that forces a provider: {@code auto} (the default), {@code openssl} or {@code jdk}. */
    public static final String PROVIDER_PROPERTY = TlsProviders.PROPERTY;

    private TlsContexts() {
    }

    /** A server context revoking what the bundle's own {@code crl.pem} lists. */
    public static SslContext forServer(PkiBundle bundle) throws SSLException {
        CrlCheck crl = bundle.crlCheck();
        return forServer(bundle, () -> crl);
    }

    /**
     * A server context that requires a client certificate of the bundle's CA and asks {@code crl} on
     * every handshake whether it is revoked (hand in a supplier of the newest CRL to follow changes).
     */
    public static SslContext forServer(PkiBundle bundle, Supplier<CrlCheck> crl) throws SSLException {
        return forServer(bundle, crl, TlsProviders.current().provider());
    }

    static SslContext forServer(PkiBundle bundle, Supplier<CrlCheck> crl, SslProvider provider) throws SSLException {
        return SslContextBuilder.forServer(new PinnedKeyManager(bundle.privateKey(), bundle.nodeCertificate()))
                .sslProvider(provider)
                .protocols(TLS_1_3)
                .trustManager(trustManager(bundle, crl, provider))
                .clientAuth(ClientAuth.REQUIRE)
                .build();
    }

    /** A client context revoking what the bundle's own {@code crl.pem} lists. */
    public static SslContext forClient(PkiBundle bundle) throws SSLException {
        CrlCheck crl = bundle.crlCheck();
        return forClient(bundle, () -> crl);
    }

    /** A client context presenting the node's certificate and trusting only the bundle's CA. */
    public static SslContext forClient(PkiBundle bundle, Supplier<CrlCheck> crl) throws SSLException {
        return forClient(bundle, crl, TlsProviders.current().provider());
    }

    static SslContext forClient(PkiBundle bundle, Supplier<CrlCheck> crl, SslProvider provider) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(provider)
                .protocols(TLS_1_3)
                .keyManager(new PinnedKeyManager(bundle.privateKey(), bundle.nodeCertificate()))
                .trustManager(trustManager(bundle, crl, provider))
                .endpointIdentificationAlgorithm("HTTPS")
                .build();
    }

    private static PeerTrustManager trustManager(PkiBundle bundle, Supplier<CrlCheck> crl, SslProvider provider) {
        return new PeerTrustManager(bundle.caCertificate(), crl,
                provider == SslProvider.JDK ? PeerTrustManager.Refusals.PLAIN : OpenSslRefusals.INSTANCE);
    }

    /**
     * The TLS implementation the contexts of this JVM run on, e.g. {@code OpenSSL (BoringSSL)} or
     * {@code JDK (SunJSSE)}; chosen (and logged with the reason) on the first call or context.
     *
     * @throws IllegalStateException when {@code replicator.tls.provider} asks for what is not available
     */
    public static String providerName() {
        try {
            return TlsProviders.current().name();
        } catch (SSLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The handler of a connection to {@code host:port}, verifying that the server's certificate names
     * {@code host} (a DNS SAN for a name, an IP SAN for an IP literal), as HTTPS does.
     */
    public static SslHandler newClientHandler(SslContext context, ByteBufAllocator alloc, String host, int port) {
        SslHandler handler = context.newHandler(alloc, host, port);
        SSLEngine engine = handler.engine();
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(params);
        return handler;
    }

    /**
     * Who the peer of an established session is: its certificate's CN, role (OU) and serial.
     *
     * @throws SSLPeerUnverifiedException when the peer presented no usable certificate
     */
    public static PeerIdentity peerIdentity(SSLSession session) throws SSLPeerUnverifiedException {
        Certificate[] chain = session.getPeerCertificates();
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            throw new SSLPeerUnverifiedException("peer presented no X.509 certificate");
        }
        try {
            return PeerIdentity.of(leaf);
        } catch (PkiException e) {
            SSLPeerUnverifiedException u = new SSLPeerUnverifiedException(e.getMessage());
            u.initCause(e);
            throw u;
        }
    }
}
