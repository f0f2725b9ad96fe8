package io.replicator.protocol.tls;

import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * The admin tools' side of HTTPS to a daemon's admin endpoint (the endpoint's is {@link
 * AdminTlsContexts}): the tool presents its own certificate and trusts only the daemon it dialed (see
 * {@link DaemonTrustManager}). Used by the command line, never by a daemon. Stateless; the contexts
 * are thread-safe.
 */
public final class AdminClientTls {
    private AdminClientTls() {
    }

    /**
     * A tool's context: presents the tool's certificate and trusts a daemon of the bundle's CA whose
     * certificate names the host of the connection (the URL's host); see {@link DaemonTrustManager}.
     */
    public static SSLContext forClient(PkiBundle bundle) {
        CrlCheck crl = bundle.crlCheck();
        return AdminTlsContexts.context(bundle, new TrustManager[] {new DaemonTrustManager(bundle.caCertificate(), () -> crl)});
    }

    /**
     * The hosts an admin tool may dial to reach the endpoint of the daemon holding {@code cert}: its DNS
     * and IP subject alternative names and its CN, each once (what {@link DaemonTrustManager} accepts).
     */
    public static List<String> endpointNames(X509Certificate cert) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : Certificates.names(cert)) {
            names.add(name.substring(name.indexOf(':') + 1));
        }
        return List.copyOf(names);
    }
}
