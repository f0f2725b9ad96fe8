package io.replicator.protocol.tls;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;

/**
 * JDK {@link SSLContext}s for a daemon's HTTPS admin endpoint and for the admin tools that call it,
 * TLS 1.3 only. The endpoint presents the daemon's node certificate and trusts client certificates
 * of its CA with the checks of {@link TlsContexts} (its {@link #serverParameters} require one); the
 * role {@code admin} and revocation are checked per request with {@link #requireAdmin(SSLSession,
 * CrlCheck)}, so the refusal can say why and a certificate revoked while its connection stays open
 * is refused at its next request. The admin tools' side, which trusts only the daemon dialed, is
 * {@code AdminClientTls} (replicator-pki). Stateless; the contexts are thread-safe.
 *
 * <p>An endpoint follows revocation when given its daemon's {@link CrlReloader}:
 * <pre>
 *   SSLContext tls = AdminTlsContexts.forServer(bundle, crl);      // each handshake asks crl.current()
 *   ...per request:  AdminTlsContexts.requireAdmin(session, crl.current());   // 403 on SSLPeerUnverifiedException
 * </pre>
 */
public final class AdminTlsContexts {
    private AdminTlsContexts() {
    }

    /**
     * The endpoint's context with the CRL the bundle loaded, which it never re-reads; a daemon passes
     * its {@link CrlReloader} to {@link #forServer(PkiBundle, Supplier)} instead.
     */
    public static SSLContext forServer(PkiBundle bundle) {
        CrlCheck crl = bundle.crlCheck();
        return forServer(bundle, () -> crl);
    }

    /**
     * The endpoint's context: presents the daemon's certificate, trusts clients of the bundle's CA, and
     * asks {@code crl} on every handshake whether the client's certificate is revoked.
     */
    public static SSLContext forServer(PkiBundle bundle, Supplier<CrlCheck> crl) {
        return context(bundle, new TrustManager[] {new PeerTrustManager(bundle.caCertificate(), crl)});
    }

    /** TLS 1.3 only, client certificate required: the parameters of every endpoint connection. */
    public static SSLParameters serverParameters(SSLContext context) {
        SSLParameters params = context.getDefaultSSLParameters();
        params.setProtocols(new String[] {TlsContexts.TLS_1_3});
        params.setNeedClientAuth(true);
        return params;
    }

    /**
     * The client of an established endpoint session, refused unless its certificate's role is admin.
     * Checks no revocation: prefer {@link #requireAdmin(SSLSession, CrlCheck)}.
     *
     * @throws SSLPeerUnverifiedException naming the certificate and its role
     */
    public static PeerIdentity requireAdmin(SSLSession session) throws SSLPeerUnverifiedException {
        return requireAdmin(session, CrlCheck.none());
    }

    /**
     * The client of an established endpoint session, checked again on each request: refused unless its
     * certificate is valid now, not revoked by {@code crl} (the list in force now, which may be newer
     * than the one its handshake was checked against) and of role admin.
     *
     * @throws SSLPeerUnverifiedException naming the certificate and what is wrong with it
     */
    public static PeerIdentity requireAdmin(SSLSession session, CrlCheck crl) throws SSLPeerUnverifiedException {
        PeerIdentity peer = TlsContexts.peerIdentity(session);
        Certificate[] chain = session.getPeerCertificates();
        X509Certificate cert = (X509Certificate) chain[0];
        String refused = crl.revocation(cert, "client");
        if (refused == null) {
            String invalid = Certificates.notValidAt(cert, Instant.now());
            refused = invalid == null ? null : "client certificate " + Certificates.describe(cert) + " refused: " + invalid;
        }
        if (refused != null) {
            throw new SSLPeerUnverifiedException(refused);
        }
        if (peer.role() != Role.ADMIN) {
            throw new SSLPeerUnverifiedException("client certificate of " + peer + " refused: the admin endpoint "
                    + "requires a certificate of role admin ('replicator pki issue --role admin')");
        }
        return peer;
    }

    /** A TLS 1.3 context presenting the bundle's certificate and trusting what {@code trust} trusts. */
    static SSLContext context(PkiBundle bundle, TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance(TlsContexts.TLS_1_3);
            context.init(new KeyManager[] {new PinnedKeyManager(bundle.privateKey(), bundle.nodeCertificate())}, trust,
                    new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot make a TLS 1.3 context for the admin endpoint: " + e.getMessage(), e);
        }
    }
}
