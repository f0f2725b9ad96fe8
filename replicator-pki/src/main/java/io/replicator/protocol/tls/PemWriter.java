package io.replicator.protocol.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Writes the PEM files the certificate authority makes: certificates ({@code CERTIFICATE}), CRLs
 * ({@code X509 CRL}) and PKCS#8 private keys ({@code PRIVATE KEY}), which {@link Pem} reads back.
 * Keys are written owner-only (0600). Writes go to a temporary file in the same directory and are
 * moved into place atomically. Stateless.
 */
public final class PemWriter {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private PemWriter() {
    }

    public static void writeCertificate(Path file, X509Certificate cert) {
        write(file, encode(cert), PUBLIC);
    }

    public static void writeCrl(Path file, X509CRL crl) {
        write(file, encode(crl), PUBLIC);
    }

    /** Writes the key as PKCS#8 PEM, owner-only (0600) from the moment the file exists. */
    public static void writePrivateKey(Path file, PrivateKey key) {
        try {
            write(file, encode(new JcaPKCS8Generator(key, null)), OWNER_ONLY);
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new PkiException(file + ": cannot encode the private key: " + e.getMessage(), e);
        }
    }

    private static String encode(Object o) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            if (o instanceof JcaPKCS8Generator g) {
                w.writeObject(g);
            } else {
                w.writeObject(o);
            }
        } catch (IOException e) {
            throw new PkiException("cannot encode " + o.getClass().getSimpleName() + " as PEM: " + e.getMessage(), e);
        }
        return text.toString();
    }

    private static void write(Path file, String text, Set<PosixFilePermission> perms) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            FileAttribute<?>[] attrs = posix(file)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)} : new FileAttribute<?>[0];
            Files.createFile(tmp, attrs);
            if (posix(file)) {
                Files.setPosixFilePermissions(tmp, perms); // the umask may have removed bits of PUBLIC
            }
            Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new PkiException(file + ": another process is writing it (" + tmp + " exists)", e);
        } catch (IOException e) {
            throw new PkiException(file + ": cannot write: " + e, e);
        }
    }

    private static boolean posix(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
