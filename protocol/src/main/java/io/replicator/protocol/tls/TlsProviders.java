package io.replicator.protocol.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.replicator.protocol.text.Causes;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS implementation the replication connections run on, chosen once per JVM from the system
 * property {@value #PROPERTY}:
 * <ul>
 *   <li>{@code auto} (the default): OpenSSL, that is BoringSSL through netty-tcnative, when its native
 *       library loads and supports TLS 1.3 and key managers; otherwise the JDK's provider (SunJSSE).
 *       BoringSSL's AES-GCM is native code and runs at full speed from the first record, where the
 *       JDK's runs interpreted until C2 has compiled it (see {@code docs/security.md}).</li>
 *   <li>{@code openssl}: OpenSSL, or every context fails with the reason it is unavailable.</li>
 *   <li>{@code jdk}: the JDK's provider.</li>
 * </ul>
 * The choice and its reason are logged once. Thread-safe.
 */
final class TlsProviders {
    static final String PROPERTY = "replicator.tls.provider";
    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
    private static Choice chosen;

    /** What the native library offers: whether it loaded, what it supports, and why not. */
    record OpenSslStatus(boolean available, boolean tls13, boolean keyManagers, String version, Throwable cause) {
        static OpenSslStatus probe() {
            boolean available = OpenSsl.isAvailable();
            return new OpenSslStatus(available, available && SslProvider.isTlsv13Supported(SslProvider.OPENSSL),
                    available && OpenSsl.supportsKeyManagerFactory(), available ? OpenSsl.versionString() : null,
                    OpenSsl.unavailabilityCause());
        }

        /** Why OpenSSL cannot serve the replication connections, or null when it can. */
        String shortcoming() {
            if (!available) {
                return "OpenSSL (netty-tcnative) is not available: " + describe(cause);
            }
            if (!tls13) {
                return "OpenSSL (" + version + ") does not support TLS 1.3";
            }
            return keyManagers ? null : "OpenSSL (" + version + ") does not support key managers";
        }
    }

    /** A provider, its name as logged and reported, why it was chosen, and whether OpenSSL was wanted. */
    record Choice(SslProvider provider, String name, String reason, boolean fallback) {
    }

    private TlsProviders() {
    }

    /** The choice for this JVM, made and logged on the first call. */
    static synchronized Choice current() throws SSLException {
        if (chosen == null) {
            Choice c = choose(System.getProperty(PROPERTY), OpenSslStatus.probe());
            if (c.fallback()) {
                log.warn("TLS provider: {}, {}", c.name(), c.reason());
            } else {
                log.info("TLS provider: {}, {}", c.name(), c.reason());
            }
            chosen = c;
        }
        return chosen;
    }

    /**
     * The provider {@code setting} (the property's value, null when unset) asks for, given what
     * OpenSSL offers.
     *
     * @throws SSLException when the setting is unknown, or names {@code openssl} and it cannot serve
     */
    static Choice choose(String setting, OpenSslStatus openssl) throws SSLException {
        String s = setting == null || setting.isBlank() ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        String shortcoming = openssl.shortcoming();
        switch (s) {
            case "jdk":
                return jdk("forced by -D" + PROPERTY + "=jdk", false);
            case "openssl":
                if (shortcoming != null) {
                    throw new SSLException("-D" + PROPERTY + "=openssl, but " + shortcoming
                            + " (use -D" + PROPERTY + "=auto or jdk for the JDK's provider)");
                }
                return openssl(openssl, "forced by -D" + PROPERTY + "=openssl");
            case "auto":
                return shortcoming == null
                        ? openssl(openssl, "native AES-GCM, no JIT warm-up (-D" + PROPERTY + "=auto)")
                        : jdk(shortcoming + " (-D" + PROPERTY + "=auto)", true);
            default:
                throw new SSLException("invalid -D" + PROPERTY + "=" + setting + " (expected: auto, openssl or jdk)");
        }
    }

    private static Choice openssl(OpenSslStatus openssl, String reason) {
        return new Choice(SslProvider.OPENSSL, "OpenSSL (" + openssl.version() + ")", reason, false);
    }

    private static Choice jdk(String reason, boolean fallback) {
        return new Choice(SslProvider.JDK, "JDK (SunJSSE)", reason, fallback);
    }

    /** A cause and, when it differs, its root: what a failed native load says. */
    private static String describe(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        Throwable root = Causes.root(cause);
        return root == cause ? cause.toString() : cause + ", caused by " + root;
    }
}
