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
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What an admin tool trusts when it talks HTTPS to a daemon's admin endpoint: a certificate of the
 * bundle's CA, valid now, not revoked, whose role is {@code source} or {@code target} (the checks of
 * {@link PeerTrustManager}, then PKIX path validation to the CA). Host names and the server extended
 * key usage are not checked: a source's certificate names its id, not its address, and is a client
 * certificate; the CA and the role are what identify a daemon here. Never trusts a client. Thread-safe.
 */
final class DaemonTrustManager extends X509ExtendedTrustManager {
    private static final String SIDE = "admin endpoint";
    private final PeerTrustManager peer;
    private final X509Certificate ca;

    DaemonTrustManager(X509Certificate ca, Supplier<CrlCheck> crl) {
        this.peer = new PeerTrustManager(ca, crl);
        this.ca = ca;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        peer.checkOwn(chain, SIDE);
        X509Certificate leaf = chain[0];
        Role role = PeerIdentity.of(leaf).role();
        if (role != Role.SOURCE && role != Role.TARGET) {
            throw new CertificateException(SIDE + " certificate " + Certificates.describe(leaf)
                    + " refused: its role is " + role + " (expected: source or target)");
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
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
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
