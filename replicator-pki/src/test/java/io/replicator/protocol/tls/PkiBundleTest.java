package io.replicator.protocol.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link PkiBundle#load}: an issued bundle loads; each broken file is named with what is wrong. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PkiBundleTest {
    @TempDir
    Path dir;

    private TestPki pki;
    private Path bundle;

    @BeforeEach
    void issue() {
        pki = new TestPki(dir, "ca");
        pki.bundle(Role.SOURCE, "src-1", "source");
        bundle = dir.resolve("source");
    }

    private String refusal() {
        return assertThrows(PkiException.class, () -> PkiBundle.load(bundle)).getMessage();
    }

    @Test
    void shouldLoadAnIssuedBundleWithItsIdentity() {
        PkiBundle b = PkiBundle.load(bundle);
        assertEquals("src-1", b.identity().id());
        assertEquals(Role.SOURCE, b.identity().role());
        assertEquals(pki.ca.certificate(), b.caCertificate());
        assertTrue(b.crlCheck().crl().isPresent());
    }

    @Test
    void shouldNameAMissingFile() throws Exception {
        Files.delete(bundle.resolve("node.key"));
        assertEquals(bundle.resolve("node.key") + ": missing", refusal());
    }

    @Test
    void shouldRefuseAFileThatIsNotPem() throws Exception {
        Files.writeString(bundle.resolve("node.crt"), "just some text\n");
        assertEquals(bundle.resolve("node.crt") + ": not PEM (expected a '-----BEGIN CERTIFICATE-----' block)",
                refusal());
    }

    @Test
    void shouldRefuseAKeyThatDoesNotMatchTheCertificate() throws Exception {
        pki.bundle(Role.SOURCE, "src-2", "other");
        Files.copy(dir.resolve("other/node.key"), bundle.resolve("node.key"), StandardCopyOption.REPLACE_EXISTING);
        String m = refusal();
        assertTrue(m.startsWith(bundle.resolve("node.key") + ": the key does not match the certificate in "
                + bundle.resolve("node.crt")), m);
    }

    @Test
    void shouldRefuseACertificateFromAnotherCa() throws Exception {
        TestPki other = new TestPki(dir, "other-ca");
        Files.copy(other.ca.dir().resolve("ca.crt"), bundle.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
        String m = refusal();
        assertTrue(m.startsWith(bundle.resolve("node.crt") + ": certificate 'CN=src-1,OU=source'")
                && m.contains("issued by '" + pki.ca.certificate().getSubjectX500Principal().getName()
                        + "', not by the CA '" + other.ca.certificate().getSubjectX500Principal().getName()), m);
    }

    @Test
    void shouldRefuseAnExpiredCertificateNamingItsDates() {
        Instant now = Instant.now();
        Instant notAfter = now.minus(Duration.ofDays(1));
        pki.bundle(Role.SOURCE, "src-old", "old", now.minus(Duration.ofDays(10)), notAfter);
        bundle = dir.resolve("old");
        String m = refusal();
        assertTrue(m.contains("node.crt: certificate 'CN=src-old,OU=source'") && m.contains("expired on " + notAfter.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                m);
    }

    @Test
    void shouldRefuseACertificateNotYetValid() {
        Instant now = Instant.now();
        pki.bundle(Role.SOURCE, "src-new", "new", now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2)));
        bundle = dir.resolve("new");
        assertTrue(refusal().contains("not yet valid: valid from"), refusal());
    }

    @Test
    void shouldRefuseAKeyOthersCanRead() throws Exception {
        Files.setPosixFilePermissions(bundle.resolve("node.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(refusal().contains("node.key: permissions rw-r--r-- let others read the private key"), refusal());
    }

    @Test
    void shouldRefuseABundleWhoseOwnCertificateIsRevoked() throws Exception {
        pki.ca.revoke(PkiBundle.load(bundle).nodeCertificate().getSerialNumber());
        Files.copy(pki.ca.crlFile(), bundle.resolve("crl.pem"), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(refusal().contains("node.crt: certificate 'CN=src-1,OU=source' serial 2 is revoked"), refusal());
    }

    @Test
    void shouldRefuseACrlOfAnotherCa() throws Exception {
        TestPki other = new TestPki(dir, "other-ca");
        Files.copy(other.ca.crlFile(), bundle.resolve("crl.pem"), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(refusal().startsWith(bundle.resolve("crl.pem") + ": CRL issued by"), refusal());
    }
}
