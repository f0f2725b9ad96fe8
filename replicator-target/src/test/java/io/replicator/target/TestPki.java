package io.replicator.target;

import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.PemWriter;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** A CA in a test's temporary directory, bundles it issues, and blocking TLS 1.3 client sockets. Not thread-safe. */
final class TestPki {
    final Path root;
    final CertificateAuthority ca;

    TestPki(Path root) {
        this.root = root;
        this.ca = CertificateAuthority.init(root.resolve("ca"), 30);
    }

    PkiBundle bundle(Role role, String name) {
        Path out = root.resolve("bundle-" + role.label() + "-" + name);
        ca.issue(role, name, List.of(), 30, out);
        return PkiBundle.load(out);
    }

    /** What {@code pki revoke} and the admin do: revoke, then copy the CA's CRL into the target's bundle. */
    void revoke(PkiBundle node, PkiBundle targetBundle) {
        ca.revoke(node.nodeCertificate());
        PemWriter.writeCrl(targetBundle.dir().resolve(PkiBundle.CRL), ca.currentCrl());
    }

    /** Client sockets presenting {@code bundle}'s certificate, TLS 1.3 only, trusting only its CA. */
    static javax.net.SocketFactory sockets(PkiBundle bundle) {
        try {
            char[] password = "test".toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("node", bundle.privateKey(), password, new Certificate[] {bundle.nodeCertificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", bundle.caCertificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            SSLSocketFactory factory = context.getSocketFactory();
            return new TlsOnly(factory);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot make a TLS client from " + bundle.dir(), e);
        }
    }

    /** Makes sockets with TLS 1.3 as the only protocol. */
    private static final class TlsOnly extends javax.net.SocketFactory {
        private final SSLSocketFactory factory;

        TlsOnly(SSLSocketFactory factory) {
            this.factory = factory;
        }

        private static java.net.Socket only13(java.net.Socket s) {
            ((SSLSocket) s).setEnabledProtocols(new String[] {"TLSv1.3"});
            return s;
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            return only13(factory.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort)
                throws java.io.IOException {
            return only13(factory.createSocket(host, port, local, localPort));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
            return only13(factory.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress local,
                int localPort) throws java.io.IOException {
            return only13(factory.createSocket(address, port, local, localPort));
        }
    }
}
