package io.replicator.protocol.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * What a node needs for mutual TLS, loaded from a bundle directory and checked:
 *
 * <pre>
 *  BUNDLE/ca.crt    PEM CERTIFICATE   the CA: the only issuer this node trusts
 *  BUNDLE/node.crt  PEM CERTIFICATE   this node: CN = its id, OU = its role, issued by ca.crt
 *  BUNDLE/node.key  PEM PRIVATE KEY   PKCS#8, mode 0600, the key of node.crt
 *  BUNDLE/crl.pem   PEM X509 CRL      optional: the CA's revocation list, signed by ca.crt
 * </pre>
 *
 * Immutable and thread-safe once loaded.
 */
public final class PkiBundle {
    public static final String CA_CERT = "ca.crt";
    public static final String NODE_CERT = "node.crt";
    public static final String NODE_KEY = "node.key";
    public static final String CRL = "crl.pem";

    private final Path dir;
    private final X509Certificate ca;
    private final X509Certificate node;
    private final PrivateKey key;
    private final PeerIdentity identity;
    private final CrlCheck crlCheck;

    private PkiBundle(Path dir, X509Certificate ca, X509Certificate node, PrivateKey key, PeerIdentity identity,
            CrlCheck crlCheck) {
        this.dir = dir;
        this.ca = ca;
        this.node = node;
        this.key = key;
        this.identity = identity;
        this.crlCheck = crlCheck;
    }

    /**
     * Loads and checks the bundle in {@code dir} as of now.
     *
     * @throws PkiException naming the file and what is wrong with it
     */
    public static PkiBundle load(Path dir) {
        return load(dir, Instant.now());
    }

    /** Loads the bundle checking validity at {@code now}. */
    static PkiBundle load(Path dir, Instant now) {
        if (!Files.isDirectory(dir)) {
            throw new PkiException(dir + ": not a directory (expected a PKI bundle: " + CA_CERT + ", "
                    + NODE_CERT + ", " + NODE_KEY + ")");
        }
        Path caFile = dir.resolve(CA_CERT);
        X509Certificate ca = Pem.readCertificate(caFile);
        if (ca.getBasicConstraints() < 0) {
            throw new PkiException(caFile + ": " + Certificates.describe(ca) + " is not a CA certificate");
        }
        String caInvalid = Certificates.notValidAt(ca, now);
        if (caInvalid != null) {
            throw new PkiException(caFile + ": CA certificate " + Certificates.describe(ca) + " " + caInvalid);
        }
        Path nodeFile = dir.resolve(NODE_CERT);
        X509Certificate node = Pem.readCertificate(nodeFile);
        String notIssued = Certificates.notIssuedBy(node, ca);
        if (notIssued != null) {
            throw new PkiException(nodeFile + ": certificate " + Certificates.describe(node) + " " + notIssued
                    + " in " + caFile);
        }
        String invalid = Certificates.notValidAt(node, now);
        if (invalid != null) {
            throw new PkiException(nodeFile + ": certificate " + Certificates.describe(node) + " " + invalid);
        }
        PeerIdentity identity;
        try {
            identity = PeerIdentity.of(node);
        } catch (PkiException e) {
            throw new PkiException(nodeFile + ": " + e.getMessage(), e);
        }
        Path keyFile = dir.resolve(NODE_KEY);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        checkKeyMatches(keyFile, key, nodeFile, node);
        Path crlFile = dir.resolve(CRL);
        CrlCheck crl = Files.exists(crlFile) ? CrlCheck.load(crlFile, ca) : CrlCheck.none();
        if (crl.isRevoked(node)) {
            throw new PkiException(nodeFile + ": certificate " + Certificates.describe(node) + " is revoked in "
                    + crlFile + " since " + crl.revokedAt(node.getSerialNumber()).orElseThrow());
        }
        return new PkiBundle(dir, ca, node, key, identity, crl);
    }

    /** Proves the key belongs to the certificate: a signature made with it verifies with the certificate. */
    static void checkKeyMatches(Path keyFile, PrivateKey key, Path certFile, X509Certificate cert) {
        String certAlgorithm = cert.getPublicKey().getAlgorithm();
        if (!key.getAlgorithm().equals(certAlgorithm)) {
            throw new PkiException(keyFile + ": a " + key.getAlgorithm() + " key does not match the "
                    + certAlgorithm + " certificate in " + certFile);
        }
        String algorithm = switch (certAlgorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> certAlgorithm;
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new PkiException(keyFile + ": the key does not match the certificate in " + certFile
                        + " (" + Certificates.describe(cert) + "): a signature made with it does not verify");
            }
        } catch (GeneralSecurityException e) {
            throw new PkiException(keyFile + ": cannot check the key against " + certFile + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The CA certificate: the only issuer this node trusts. */
    public X509Certificate caCertificate() {
        return ca;
    }

    public X509Certificate nodeCertificate() {
        return node;
    }

    public PrivateKey privateKey() {
        return key;
    }

    /** This node's id, role and serial, from its certificate. */
    public PeerIdentity identity() {
        return identity;
    }

    /** The revocation check from {@code crl.pem}, {@link CrlCheck#none()} when the bundle has none. */
    public CrlCheck crlCheck() {
        return crlCheck;
    }
}
