package io.replicator.protocol.tls;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * The certificate authority of one replication deployment, kept in a directory:
 *
 * <pre>
 *  DIR/ca.crt   PEM CERTIFICATE  self-signed, CN = "replicator CA " + 8 random hex digits
 *  DIR/ca.key   PEM PRIVATE KEY  PKCS#8, 0600
 *  DIR/crl.pem  PEM X509 CRL     every revoked serial, re-signed on each revocation
 *  DIR/serial   text             the next serial number, decimal (the CA itself is serial 1)
 *  DIR/.lock    empty            held while the serial counter or the CRL changes
 * </pre>
 *
 * <p>Keys are EC P-256 (secp256r1) signed with SHA256withECDSA rather than RSA 3072: both give about
 * 128-bit security, but a P-256 key is made in milliseconds where an RSA 3072 key can take seconds
 * on a small machine, a P-256 signature (every handshake makes one per side) costs a fraction of an
 * RSA 3072 one, and ecdsa_secp256r1_sha256 is mandatory to implement in TLS 1.3 (RFC 8446 9.1), so
 * every peer speaks it.
 *
 * <p>Thread-safety: the instance is immutable; changes to the directory (serials, the CRL) are made
 * under an exclusive file lock, so two processes issuing at once get different serials.
 */
public final class CertificateAuthority {
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String CRL = "crl.pem";
    public static final String SERIAL = "serial";
    public static final int DEFAULT_CA_DAYS = 3650;
    public static final int DEFAULT_NODE_DAYS = 365;
    /** A CRL's nextUpdate is this far after each re-signing. */
    public static final int CRL_DAYS = 365;
    public static final int MAX_DAYS = 36500;
    /** Certificates start this long before they are made, so a peer whose clock is behind accepts them. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private final Path dir;
    private final X509Certificate cert;
    private final PrivateKey key;

    private CertificateAuthority(Path dir, X509Certificate cert, PrivateKey key) {
        this.dir = dir;
        this.cert = cert;
        this.key = key;
    }

    /**
     * Makes a new CA in {@code dir} (created if missing), valid for {@code days}.
     *
     * @throws PkiException when {@code dir} already holds a CA: it is never overwritten
     */
    public static CertificateAuthority init(Path dir, int days) {
        checkDays(days);
        Instant now = Instant.now();
        return init(dir, now.minus(BACKDATE), now.plus(Duration.ofDays(days)));
    }

    /** Makes a CA valid between two instants (tests make CAs that were valid in the past with it). */
    static CertificateAuthority init(Path dir, Instant notBefore, Instant notAfter) {
        for (String f : new String[] {CA_CERT, CA_KEY}) {
            if (Files.exists(dir.resolve(f))) {
                throw new PkiException(dir + " already holds a CA (" + f + " exists); refusing to overwrite it");
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PkiException(dir + ": cannot create the directory: " + e, e);
        }
        Instant now = Instant.now();
        KeyPair keys = CertificateSigner.newKeyPair();
        byte[] id = new byte[4];
        new java.security.SecureRandom().nextBytes(id);
        X509Certificate ca = CertificateSigner.caCertificate(keys, "replicator CA " + HexFormat.of().formatHex(id),
                BigInteger.ONE, notBefore, notAfter);
        PemWriter.writePrivateKey(dir.resolve(CA_KEY), keys.getPrivate());
        CertificateAuthority authority = new CertificateAuthority(dir, ca, keys.getPrivate());
        authority.locked(() -> {
            writeString(dir.resolve(SERIAL), "2\n");
            PemWriter.writeCrl(dir.resolve(CRL), CertificateSigner.crl(ca, keys.getPrivate(), null, null, BigInteger.ONE,
                    now, now.plus(Duration.ofDays(CRL_DAYS))));
            return null;
        });
        PemWriter.writeCertificate(dir.resolve(CA_CERT), ca); // last: its presence marks a complete CA
        return authority;
    }

    /** Opens the CA in {@code dir}, checking that its key matches its certificate. */
    public static CertificateAuthority open(Path dir) {
        Path certFile = dir.resolve(CA_CERT);
        X509Certificate ca = Pem.readCertificate(certFile);
        Path keyFile = dir.resolve(CA_KEY);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        PkiBundle.checkKeyMatches(keyFile, key, certFile, ca);
        return new CertificateAuthority(dir, ca, key);
    }

    public X509Certificate certificate() {
        return cert;
    }

    public Path dir() {
        return dir;
    }

    /** The CA's current CRL file. */
    public Path crlFile() {
        return dir.resolve(CRL);
    }

    /**
     * Issues a key and certificate for a node and writes the bundle {@code out} ({@link PkiBundle}'s
     * layout, with a copy of the current CRL). A target's {@code name} becomes its first SAN (IP for an
     * IP literal, else DNS), and so does a source's when it is an IP address or a DNS name (its admin
     * endpoint can then be dialed by it); {@code extraSans} are added for every role.
     *
     * @throws PkiException for a bad name, SAN or day count, when {@code out} already holds a node, or when
     *                      {@code out} is a directory that another user owns or that group or others may
     *                      write (whoever can change it could swap {@code ca.crt} before the bundle ships)
     */
    public X509Certificate issue(Role role, String name, List<String> extraSans, int days, Path out) {
        checkDays(days);
        Instant now = Instant.now();
        return issue(role, name, extraSans, now.minus(BACKDATE), now.plus(Duration.ofDays(days)), out);
    }

    /** Issues with explicit validity dates (tests make expired and future certificates with it). */
    X509Certificate issue(Role role, String name, List<String> extraSans, Instant notBefore, Instant notAfter,
            Path out) {
        Certificates.checkName("--name", name);
        List<GeneralName> sans = new ArrayList<>();
        if (role == Role.TARGET || role == Role.SOURCE && isHostName(name)) {
            sans.add(Certificates.subjectAltName("--name", name));
        }
        for (String san : extraSans) {
            GeneralName g = Certificates.subjectAltName("--san", san);
            if (!sans.contains(g)) {
                sans.add(g);
            }
        }
        for (String f : new String[] {PkiBundle.NODE_CERT, PkiBundle.NODE_KEY}) {
            if (Files.exists(out.resolve(f))) {
                throw new PkiException(out + " already holds a node (" + f + " exists); refusing to overwrite it");
            }
        }
        createPrivateDirectory(out);
        checkPrivateDirectory(out);
        KeyPair keys = CertificateSigner.newKeyPair();
        BigInteger serial = locked(this::takeSerial);
        X509Certificate node = CertificateSigner.nodeCertificate(cert, key, keys.getPublic(), role, name, sans,
                serial, notBefore, notAfter);
        PemWriter.writePrivateKey(out.resolve(PkiBundle.NODE_KEY), keys.getPrivate());
        PemWriter.writeCertificate(out.resolve(PkiBundle.NODE_CERT), node);
        PemWriter.writeCertificate(out.resolve(PkiBundle.CA_CERT), cert);
        PemWriter.writeCrl(out.resolve(PkiBundle.CRL), currentCrl());
        return node;
    }

    /** The outcome of a revocation: {@code newly} is false when the serial was revoked before. */
    public record Revocation(BigInteger serial, Instant revokedAt, boolean newly) {
    }

    /** Revokes the certificate {@code node}, which must be one this CA issued. */
    public Revocation revoke(X509Certificate node) {
        String notIssued = Certificates.notIssuedBy(node, cert);
        if (notIssued != null) {
            throw new PkiException("certificate " + Certificates.describe(node) + " " + notIssued);
        }
        return revoke(node.getSerialNumber());
    }

    /**
     * Adds {@code serial} to the CRL, re-signs it with a new CRL number and nextUpdate, and rewrites
     * {@link #crlFile()}. Revoking a serial twice changes nothing.
     *
     * @throws PkiException when this CA never issued {@code serial}
     */
    public Revocation revoke(BigInteger serial) {
        return locked(() -> {
            BigInteger next = readSerial();
            if (serial.compareTo(BigInteger.TWO) < 0 || serial.compareTo(next) >= 0) {
                throw new PkiException("serial " + serial + " was never issued by this CA (issued: "
                        + (next.compareTo(BigInteger.TWO) > 0 ? "2-" + next.subtract(BigInteger.ONE) : "none") + ")");
            }
            X509CRL previous = currentCrl();
            CrlCheck check = CrlCheck.of(previous, cert);
            Optional<Instant> before = check.revokedAt(serial);
            if (before.isPresent()) {
                return new Revocation(serial, before.get(), false);
            }
            Instant now = Instant.now();
            X509CRL crl = CertificateSigner.crl(cert, key, previous, serial, crlNumber(previous).add(BigInteger.ONE),
                    now, now.plus(Duration.ofDays(CRL_DAYS)));
            PemWriter.writeCrl(crlFile(), crl);
            return new Revocation(serial, now, true);
        });
    }

    /** The CA's CRL as on disk, checked against the CA. */
    public X509CRL currentCrl() {
        return CrlCheck.load(crlFile(), cert).crl().orElseThrow();
    }

    private static BigInteger crlNumber(X509CRL crl) {
        return CrlCheck.number(crl).orElse(BigInteger.ONE);
    }

    private BigInteger takeSerial() {
        BigInteger serial = readSerial();
        writeString(dir.resolve(SERIAL), serial.add(BigInteger.ONE) + "\n");
        return serial;
    }

    private BigInteger readSerial() {
        Path file = dir.resolve(SERIAL);
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            BigInteger serial = new BigInteger(text);
            if (serial.compareTo(BigInteger.TWO) < 0) {
                throw new PkiException(file + ": invalid next serial " + text + " (expected: 2 or more)");
            }
            return serial;
        } catch (NumberFormatException e) {
            throw new PkiException(file + ": not a decimal serial number", e);
        } catch (IOException e) {
            throw new PkiException(file + ": cannot read: " + e, e);
        }
    }

    private <T> T locked(Supplier<T> action) {
        try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            return action.get();
        } catch (IOException e) {
            throw new PkiException(dir.resolve(".lock") + ": cannot lock the CA directory: " + e, e);
        }
    }

    private static void writeString(Path file, String text) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new PkiException(file + ": cannot write: " + e, e);
        }
    }

    private static void createPrivateDirectory(Path out) {
        try {
            if (!Files.isDirectory(out)) {
                if (out.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(out, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(out);
                }
            }
        } catch (IOException e) {
            throw new PkiException(out + ": cannot create the bundle directory: " + e, e);
        }
    }

    /** Whether a node name can be dialed: an IP literal or a DNS name. */
    static boolean isHostName(String name) {
        return NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name) || Certificates.isDnsName(name);
    }

    /**
     * Refuses a bundle directory that another user owns or that group or others may write. The owner
     * is compared with that of a file made there now, which is this process's (effective) user.
     */
    static void checkPrivateDirectory(Path out) {
        if (!out.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(out);
            boolean others = perms.contains(PosixFilePermission.OTHERS_WRITE);
            if (others || perms.contains(PosixFilePermission.GROUP_WRITE)) {
                throw new PkiException(out + ": refusing to write a bundle into a directory that "
                        + (others ? "others" : "its group") + " may change (permissions "
                        + PosixFilePermissions.toString(perms) + "): chmod 700 " + out + ", or give --out a new directory");
            }
            UserPrincipal owner = Files.getOwner(out);
            Path probe = Files.createTempFile(out, ".owner", ".tmp");
            UserPrincipal me;
            try {
                me = Files.getOwner(probe);
            } finally {
                Files.delete(probe);
            }
            if (!owner.equals(me)) {
                throw new PkiException(out + ": refusing to write a bundle into a directory owned by "
                        + owner.getName() + ", not by " + me.getName() + " who runs this: its owner could change "
                        + "the bundle; give --out a new directory");
            }
        } catch (IOException e) {
            throw new PkiException(out + ": cannot check the bundle directory: " + e, e);
        }
    }

    static void checkDays(int days) {
        if (days < 1 || days > MAX_DAYS) {
            throw new PkiException("invalid --days " + days + " (expected: 1-" + MAX_DAYS + ")");
        }
    }
}
