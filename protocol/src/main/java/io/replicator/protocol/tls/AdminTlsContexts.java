package io.replicator.protocol.tls;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;

/**
 * JDK {@link SSLContext}s for a daemon's HTTPS admin endpoint and for the admin tools that call it,
 * TLS 1.3 only. The endpoint presents the daemon's node certificate and trusts client certificates
 * of its CA with the checks of {@link TlsContexts} (its {@link #serverParameters} require one); the
 * role {@code admin} is checked per request with {@link #requireAdmin}, so the refusal can say why.
 * The tool presents its own certificate and trusts a daemon of the same CA (see
 * {@link DaemonTrustManager}). Stateless; the contexts are thread-safe.
 */
public final class AdminTlsContexts {
    private AdminTlsContexts() {
    }

    /** The endpoint's context: presents the daemon's certificate, trusts clients of the bundle's CA. */
    public static SSLContext forServer(PkiBundle bundle) {
        CrlCheck crl = bundle.crlCheck();
        return context(bundle, new TrustManager[] {new PeerTrustManager(bundle.caCertificate(), () -> crl)});
    }

    /** A tool's context: presents the tool's certificate, trusts a source or target of the bundle's CA. */
    public static SSLContext forClient(PkiBundle bundle) {
        CrlCheck crl = bundle.crlCheck();
        return context(bundle, new TrustManager[] {new DaemonTrustManager(bundle.caCertificate(), () -> crl)});
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
     *
     * @throws SSLPeerUnverifiedException naming the certificate and its role
     */
    public static PeerIdentity requireAdmin(SSLSession session) throws SSLPeerUnverifiedException {
        PeerIdentity peer = TlsContexts.peerIdentity(session);
        if (peer.role() != Role.ADMIN) {
            throw new SSLPeerUnverifiedException("client certificate of " + peer + " refused: the admin endpoint "
                    + "requires a certificate of role admin ('replicator pki issue --role admin')");
        }
        return peer;
    }

    private static SSLContext context(PkiBundle bundle, TrustManager[] trust) {
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
