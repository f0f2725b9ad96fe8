package io.replicator.protocol.tls;

import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;
import java.security.cert.CertificateException;

/**
 * Refusals for contexts on OpenSSL: the same messages, in an {@link OpenSslCertificateException} whose
 * X.509 error code makes BoringSSL send the peer the alert that says what is wrong (unknown_ca,
 * certificate_expired, certificate_revoked, bad_certificate). Without a code BoringSSL would send
 * internal_error, which reads as a fault of this end. Only made when OpenSSL is available: its
 * constants come from the native library. Stateless and thread-safe.
 */
final class OpenSslRefusals implements PeerTrustManager.Refusals {
    static final OpenSslRefusals INSTANCE = new OpenSslRefusals();

    private OpenSslRefusals() {
    }

    @Override
    public CertificateException refuse(PeerTrustManager.Reason reason, String message, Throwable cause) {
        return new OpenSslCertificateException(message, cause, code(reason));
    }

    static int code(PeerTrustManager.Reason reason) {
        return switch (reason) {
            case OTHER_CA -> CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
            case EXPIRED -> CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
            case NOT_YET_VALID -> CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID;
            case REVOKED -> CertificateVerifier.X509_V_ERR_CERT_REVOKED;
            case NONE_PRESENTED, NO_IDENTITY, PKIX -> CertificateVerifier.X509_V_ERR_CERT_REJECTED;
        };
    }
}
