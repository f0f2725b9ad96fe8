/**
 * The PKI and TLS building blocks of the replication connections, as much as a daemon needs for a
 * handshake: the bundle a node loads ({@link io.replicator.protocol.tls.PkiBundle}: {@code ca.crt}, {@code node.crt},
 * {@code node.key}, optionally {@code crl.pem}), revocation ({@link io.replicator.protocol.tls.CrlCheck},
 * and {@link io.replicator.protocol.tls.CrlReloader}, which keeps a running daemon's list current) and
 * Netty {@code SslContext}s for mutual TLS 1.3 ({@link io.replicator.protocol.tls.TlsContexts}).
 * Issuing (the certificate authority {@code CertificateAuthority}, its signer, {@code PemWriter} and
 * the admin tools' {@code AdminClientTls}) lives in this same package in the module
 * {@code replicator-pki}, which the command line uses and no daemon links.
 *
 * <p>Configuration: the one setting of this package is the JVM system property
 * {@code replicator.tls.provider} ({@link io.replicator.protocol.tls.TlsContexts#PROVIDER_PROPERTY}):
 * {@code auto} (the default) runs the contexts on OpenSSL (BoringSSL through netty-tcnative) when it
 * is available and on the JDK's provider otherwise, {@code openssl} requires OpenSSL (contexts fail
 * with the reason it is unavailable), {@code jdk} uses the JDK's provider. The admin endpoint's
 * contexts ({@link io.replicator.protocol.tls.AdminTlsContexts}) are always the JDK's.
 *
 * <p>A node's identity is in its certificate's subject: CN is the node's id (a source's id), OU its
 * {@link io.replicator.protocol.tls.Role}. Every refusal is a {@link io.replicator.protocol.tls.PkiException}
 * or a {@link java.security.cert.CertificateException} whose message names the file or certificate
 * and what is wrong with it. All classes here are immutable or stateless, hence thread-safe, except
 * {@code CertificateAuthority} (replicator-pki), which serialises its changes to the CA directory
 * with a file lock, and {@link io.replicator.protocol.tls.CrlReloader}, which owns a thread
 * (and the process's SIGHUP listener) and publishes the list in force to any thread. The layout and what is checked are described in {@code docs/security.md}.
 */
package io.replicator.protocol.tls;
