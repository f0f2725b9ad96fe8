package io.replicator.protocol.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts only certificates of one CA that are valid now and not revoked. It first makes its own
 * checks, each with a message naming the certificate and what is wrong (another CA, expired with its
 * dates, revoked since when), then hands the chain to the JDK's PKIX trust manager for the rest:
 * path validation, key usage, extended key usage for the side, and, on a client whose engine has
 * endpoint identification on, that the server's certificate names the host dialed. Each refusal is made
 * by a {@link Refusals}, which for OpenSSL also picks the alert the peer is sent. Thread-safe: the
 * revocation check is fetched from the supplier on every handshake, so a new CRL applies to the next
 * handshake.
 */
final class PeerTrustManager extends X509ExtendedTrustManager {
    /** Why a certificate is refused. */
    enum Reason { NONE_PRESENTED, OTHER_CA, EXPIRED, NOT_YET_VALID, REVOKED, NO_IDENTITY, PKIX }

    /** Makes the exception a refusal throws; the message is always the one given. */
    interface Refusals {
        /** The JDK's provider: a plain {@link CertificateException} (SunJSSE picks the alert itself). */
        Refusals PLAIN = (reason, message, cause) -> new CertificateException(message, cause);

        CertificateException refuse(Reason reason, String message, Throwable cause);
    }

    private final X509Certificate ca;
    private final Supplier<CrlCheck> crl;
    private final Refusals refusals;
    private final X509ExtendedTrustManager pkix;

    PeerTrustManager(X509Certificate ca, Supplier<CrlCheck> crl) {
        this(ca, crl, Refusals.PLAIN);
    }

    PeerTrustManager(X509Certificate ca, Supplier<CrlCheck> crl, Refusals refusals) {
        this.ca = ca;
        this.crl = crl;
        this.refusals = refusals;
        this.pkix = pkixTrusting(ca);
    }

    private static X509ExtendedTrustManager pkixTrusting(X509Certificate ca) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
            f.init(store);
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new PkiException("the JDK has no PKIX X509ExtendedTrustManager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new PkiException("cannot make a trust manager for the CA: " + e.getMessage(), e);
        }
    }

    void checkOwn(X509Certificate[] chain, String side) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw refusals.refuse(Reason.NONE_PRESENTED, "no " + side + " certificate presented", null);
        }
        X509Certificate leaf = chain[0];
        String notIssued = Certificates.notIssuedBy(leaf, ca);
        if (notIssued != null) {
            throw refusals.refuse(Reason.OTHER_CA, side + " certificate " + Certificates.describe(leaf)
                    + " refused: it is " + notIssued, null);
        }
        Instant now = Instant.now();
        String invalid = Certificates.notValidAt(leaf, now);
        if (invalid != null) {
            throw refusals.refuse(now.isBefore(leaf.getNotBefore().toInstant()) ? Reason.NOT_YET_VALID : Reason.EXPIRED,
                    side + " certificate " + Certificates.describe(leaf) + " refused: " + invalid, null);
        }
        String revoked = crl.get().revocation(leaf, side);
        if (revoked != null) {
            throw refusals.refuse(Reason.REVOKED, revoked, null);
        }
        try {
            PeerIdentity.of(leaf);
        } catch (PkiException e) {
            throw refusals.refuse(Reason.NO_IDENTITY, side + " " + e.getMessage(), e);
        }
    }

    private CertificateException refused(String side, X509Certificate[] chain, String peerHost,
            CertificateException e) {
        String host = peerHost == null ? "" : " for host '" + peerHost + "'";
        return refusals.refuse(Reason.PKIX, side + " certificate " + Certificates.describe(chain[0]) + " refused"
                + host + " (its names: " + Certificates.subjectAltNames(chain[0]) + "): " + e.getMessage(), e);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkOwn(chain, "client");
        try {
            pkix.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw refused("client", chain, null, e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkOwn(chain, "server");
        try {
            pkix.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw refused("server", chain, engine == null ? null : engine.getPeerHost(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkOwn(chain, "client");
        try {
            pkix.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw refused("client", chain, null, e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkOwn(chain, "server");
        try {
            pkix.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw refused("server", chain, null, e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkOwn(chain, "client");
        try {
            pkix.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            throw refused("client", chain, null, e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkOwn(chain, "server");
        try {
            pkix.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw refused("server", chain, null, e);
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {ca};
    }
}
