package io.replicator.protocol.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads the PEM files of the PKI: certificates ({@code CERTIFICATE}), CRLs ({@code X509 CRL}) and
 * PKCS#8 private keys ({@code PRIVATE KEY}); a key is refused when group or others may read it.
 * Writing them is the certificate authority's business ({@code PemWriter}, in replicator-pki).
 * Stateless; the parsed objects come from the JDK's providers so that SunJSSE can use them directly.
 */
public final class Pem {
    private Pem() {
    }

    /** Reads one {@code CERTIFICATE}; the error names the file and what is wrong. */
    public static X509Certificate readCertificate(Path file) {
        byte[] bytes = readPem(file, "CERTIFICATE");
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(bytes));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new PkiException(file + ": not a valid X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** Reads one {@code X509 CRL}. */
    public static X509CRL readCrl(Path file) {
        byte[] bytes = readPem(file, "X509 CRL");
        try {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(bytes));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new PkiException(file + ": not a valid X.509 CRL: " + e.getMessage(), e);
        }
    }

    /** Reads a PKCS#8 {@code PRIVATE KEY}, refusing a file that group or others may read. */
    public static PrivateKey readPrivateKey(Path file) {
        byte[] bytes = readPem(file, "PRIVATE KEY");
        checkOwnerOnly(file);
        try (PEMParser parser = new PEMParser(new StringReader(new String(bytes, StandardCharsets.US_ASCII)))) {
            Object o = parser.readObject();
            if (!(o instanceof PrivateKeyInfo info)) {
                throw new PkiException(file + ": not a PKCS#8 private key (found "
                        + (o == null ? "nothing" : o.getClass().getSimpleName()) + ")");
            }
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException | RuntimeException e) {
            if (e instanceof PkiException p) {
                throw p;
            }
            throw new PkiException(file + ": not a valid PKCS#8 private key: " + e.getMessage(), e);
        }
    }

    private static byte[] readPem(Path file, String type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PkiException(file + ": missing", e);
        } catch (IOException e) {
            throw new PkiException(file + ": cannot read: " + e, e);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN " + type + "-----")) {
            throw new PkiException(file + ": not PEM (expected a '-----BEGIN " + type + "-----' block)");
        }
        return bytes;
    }

    private static void checkOwnerOnly(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            for (PosixFilePermission p : perms) {
                if (!p.name().startsWith("OWNER_")) {
                    throw new PkiException(file + ": permissions " + PosixFilePermissions.toString(perms)
                            + " let others read the private key (expected rw-------: chmod 600 " + file + ")");
                }
            }
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to check
        } catch (IOException e) {
            throw new PkiException(file + ": cannot read its permissions: " + e, e);
        }
    }
}
