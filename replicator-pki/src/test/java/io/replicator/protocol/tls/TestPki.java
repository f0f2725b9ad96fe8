package io.replicator.protocol.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The test PKI of every module's tests (shipped in replicator-pki's test-jar): a CA in a directory
 * (valid from 30 days ago to 30 days from now), bundles it issues, revocation, and blocking TLS 1.3
 * client sockets. A test makes its own with {@link #TestPki(Path)}; the end-to-end tests share
 * {@link #shared()}, made once per JVM in a temporary directory deleted when the JVM exits.
 * Thread-safe.
 */
public final class TestPki {
    /** The name of the target's certificate: {@code 127.0.0.1}, the address the tests dial. */
    public static final String TARGET_NAME = "127.0.0.1";
    private static TestPki shared;

    public final Path root;
    public final CertificateAuthority ca;
    private final Map<String, Path> bundles = new HashMap<>();

    /** A CA in {@code root/ca}. */
    public TestPki(Path root) {
        this(root, "ca");
    }

    /** A CA in {@code root/caDir} (tests that need two CAs give two directories). */
    public TestPki(Path root, String caDir) {
        this.root = root;
        Instant now = Instant.now();
        this.ca = CertificateAuthority.init(root.resolve(caDir), now.minus(Duration.ofDays(30)),
                now.plus(Duration.ofDays(30)));
    }

    /** The JVM's test PKI, made on first use. */
    public static synchronized TestPki shared() {
        if (shared == null) {
            try {
                Path root = Files.createTempDirectory("replicator-test-pki-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root), "test-pki-cleanup"));
                shared = new TestPki(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /** The bundle directory of {@code role} and {@code name}, issued on first use. */
    public synchronized Path bundleDir(Role role, String name) {
        return bundles.computeIfAbsent(role.label() + "-" + name, key -> {
            Path out = root.resolve(key);
            ca.issue(role, name, List.of(), 30, out);
            return out;
        });
    }

    /** The bundle of {@code role} and {@code name}, issued on first use. */
    public PkiBundle bundle(Role role, String name) {
        return PkiBundle.load(bundleDir(role, name));
    }

    /** Issues a bundle for {@code role} and {@code name} into {@code root/out} and loads it. */
    public PkiBundle bundle(Role role, String name, String out) {
        ca.issue(role, name, List.of(), 30, root.resolve(out));
        return PkiBundle.load(root.resolve(out));
    }

    /** Issues a bundle valid only between the two instants and loads it as of {@code notBefore}. */
    public PkiBundle bundle(Role role, String name, String out, Instant notBefore, Instant notAfter) {
        ca.issue(role, name, List.of(), notBefore, notAfter, root.resolve(out));
        return PkiBundle.load(root.resolve(out), notBefore);
    }

    /** The target's bundle directory ({@link #TARGET_NAME}). */
    public Path target() {
        return bundleDir(Role.TARGET, TARGET_NAME);
    }

    public Path source(String id) {
        return bundleDir(Role.SOURCE, id);
    }

    public Path admin() {
        return bundleDir(Role.ADMIN, "ops");
    }

    /** What {@code pki revoke} and the admin do: revoke, then copy the CA's CRL into the target's bundle. */
    public void revoke(PkiBundle node, PkiBundle targetBundle) {
        ca.revoke(node.nodeCertificate());
        PemWriter.writeCrl(targetBundle.dir().resolve(PkiBundle.CRL), ca.currentCrl());
    }

    /** The CA's revocation check as on disk now. */
    public CrlCheck currentCrl() {
        return CrlCheck.of(ca.currentCrl(), ca.certificate());
    }

    /** Every message in the cause chain, joined: what a test asserts a refusal on. */
    public static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }

    /** Client sockets presenting {@code bundle}'s certificate, TLS 1.3 only, trusting only its CA. */
    public static SocketFactory sockets(PkiBundle bundle) {
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
            return new TlsOnly(context.getSocketFactory());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a TLS client from " + bundle.dir(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes sockets with TLS 1.3 as the only protocol. */
    private static final class TlsOnly extends SocketFactory {
        private final SSLSocketFactory factory;

        TlsOnly(SSLSocketFactory factory) {
            this.factory = factory;
        }

        private static Socket only13(Socket s) {
            ((SSLSocket) s).setEnabledProtocols(new String[] {"TLSv1.3"});
            return s;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return only13(factory.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return only13(factory.createSocket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return only13(factory.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) throws IOException {
            return only13(factory.createSocket(address, port, local, localPort));
        }
    }
}
