package io.replicator.protocol.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What an admin tool trusts when it talks HTTPS to a daemon's admin endpoint: a certificate of the
 * bundle's CA, valid now, not revoked (the checks of {@link PeerTrustManager}), whose role is a
 * daemon's, {@code source} or {@code target}, never {@code admin}, that names the host the tool dialed
 * ({@link Certificates#namesHost}: a DNS or IP subject alternative name, or the CN), and that passes
 * PKIX path validation to the CA. So holding some certificate of the CA is not enough to pose as a
 * daemon: an endpoint must hold the certificate of the very host dialed. The host is the connection's
 * peer host (the host of the URL for {@code HttpsURLConnection}); a connection without one is refused.
 * The server extended key usage is not checked: a source's certificate is a client certificate.
 * Never trusts a client. Thread-safe.
 */
final class DaemonTrustManager extends X509ExtendedTrustManager {
    private static final String SIDE = "admin endpoint";
    private final PeerTrustManager peer;
    private final X509Certificate ca;

    DaemonTrustManager(X509Certificate ca, Supplier<CrlCheck> crl) {
        this.peer = new PeerTrustManager(ca, crl);
        this.ca = ca;
    }

    /** Without the connection there is no host to check the certificate's names against: refused. */
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, null);
    }

    private void check(X509Certificate[] chain, String host) throws CertificateException {
        peer.checkOwn(chain, SIDE);
        X509Certificate leaf = chain[0];
        Role role = PeerIdentity.of(leaf).role();
        if (role != Role.SOURCE && role != Role.TARGET) {
            throw new CertificateException(SIDE + " certificate " + Certificates.describe(leaf)
                    + " refused: its role is " + role + " (expected: source or target, the certificate of a daemon)");
        }
        if (host == null || host.isEmpty()) {
            throw new CertificateException(SIDE + " certificate " + Certificates.describe(leaf)
                    + " refused: the connection names no host to check it against");
        }
        if (!Certificates.namesHost(leaf, host)) {
            throw new CertificateException(SIDE + " certificate " + Certificates.describe(leaf) + " refused for host '"
                    + Certificates.printable(host) + "': it names " + Certificates.names(leaf)
                    + ", not the host dialed (dial the daemon by one of those names, or issue its certificate "
                    + "with --san " + Certificates.printable(host) + ")");
        }
        try {
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
        } catch (GeneralSecurityException e) {
            throw new CertificateException(SIDE + " certificate " + Certificates.describe(leaf) + " refused: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        SSLSession session = socket instanceof SSLSocket s ? s.getHandshakeSession() : null;
        check(chain, session == null ? null : session.getPeerHost());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, engine == null ? null : engine.getPeerHost());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("an admin tool accepts no client");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {ca};
    }
}
