package io.replicator.protocol.tls;

import java.security.cert.CertificateException;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * Says in one line why a TLS handshake failed, the same way on both providers: the refusal of a
 * certificate check of this package when there is one (on OpenSSL it sits under a generic
 * "General OpenSslEngine problem"), else the message of the first {@link SSLException}, BoringSSL's
 * reason codes (such as {@code PEER_DID_NOT_RETURN_A_CERTIFICATE}) put in words with the code kept.
 * Stateless and thread-safe.
 */
public final class TlsFailures {
    private static final String PEER_REFUSED = "the peer refused this end's certificate";

    /** BoringSSL reasons, the last field of "error:100000c0:SSL routines:OPENSSL_internal:REASON". */
    private static final Map<String, String> BORINGSSL_REASONS = Map.of(
            "PEER_DID_NOT_RETURN_A_CERTIFICATE", "Empty client certificate chain: the client presented no certificate",
            "UNSUPPORTED_PROTOCOL", "the peer offered no protocol version this end accepts (" + TlsContexts.TLS_1_3
                    + " only)",
            "TLSV1_ALERT_PROTOCOL_VERSION", "the peer accepts none of the protocol versions this end offered",
            "TLSV1_ALERT_CERTIFICATE_REQUIRED", "the peer requires a certificate and this end presented none",
            "TLSV1_ALERT_UNKNOWN_CA", PEER_REFUSED + ": not issued by the peer's CA",
            "SSLV3_ALERT_CERTIFICATE_EXPIRED", PEER_REFUSED + ": expired",
            "SSLV3_ALERT_CERTIFICATE_REVOKED", PEER_REFUSED + ": revoked",
            "SSLV3_ALERT_BAD_CERTIFICATE", PEER_REFUSED + " (bad_certificate)",
            "SSLV3_ALERT_CERTIFICATE_UNKNOWN", PEER_REFUSED + " (certificate_unknown)");

    private TlsFailures() {
    }

    /** Why the handshake that failed with {@code failure} (or an exception wrapping it) failed. */
    public static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateException && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLException && t.getMessage() != null) {
                return explain(t.getMessage());
            }
        }
        return String.valueOf(failure);
    }

    private static String explain(String message) {
        if (!message.startsWith("error:")) {
            return message;
        }
        String words = BORINGSSL_REASONS.get(message.substring(message.lastIndexOf(':') + 1));
        return words == null ? message : words + " (" + message + ")";
    }
}
