package io.replicator.protocol.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CA directory: serials, names and SANs, key usages per role, revocation, no overwrites. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CertificateAuthorityTest {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    @TempDir
    Path dir;

    private CertificateAuthority ca;

    @BeforeEach
    void init() {
        ca = CertificateAuthority.init(dir.resolve("ca"), 30);
    }

    @Test
    void shouldWriteTheCaKeyOwnerOnlyAndRefuseToOverwriteIt() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca/ca.key"))));
        assertTrue(ca.certificate().getBasicConstraints() >= 0);
        String m = assertThrows(PkiException.class, () -> CertificateAuthority.init(dir.resolve("ca"), 30)).getMessage();
        assertEquals(dir.resolve("ca") + " already holds a CA (ca.crt exists); refusing to overwrite it", m);
        assertEquals(ca.certificate(), CertificateAuthority.open(dir.resolve("ca")).certificate());
    }

    @Test
    void shouldGiveATargetItsNameAsIpOrDnsSanAndBothKeyUsages() throws Exception {
        X509Certificate ip = ca.issue(Role.TARGET, "10.0.0.7", List.of("replica.example"), 30, dir.resolve("t1"));
        assertEquals(List.of("IP:10.0.0.7", "DNS:replica.example"), Certificates.subjectAltNames(ip));
        assertEquals(List.of(SERVER_AUTH, CLIENT_AUTH), ip.getExtendedKeyUsage());
        X509Certificate dns = ca.issue(Role.TARGET, "replica.example", List.of(), 30, dir.resolve("t2"));
        assertEquals(List.of("DNS:replica.example"), Certificates.subjectAltNames(dns));
        assertEquals(ip.getSerialNumber().add(BigInteger.ONE), dns.getSerialNumber());
    }

    @Test
    void shouldGiveSourcesAndAdminsClientAuthOnly() throws Exception {
        X509Certificate source = ca.issue(Role.SOURCE, "db-01", List.of(), 30, dir.resolve("s"));
        assertEquals(List.of(CLIENT_AUTH), source.getExtendedKeyUsage().stream().toList());
        X509Certificate admin = ca.issue(Role.ADMIN, "ops", List.of(), 30, dir.resolve("a"));
        assertEquals(new PeerIdentity("ops", Role.ADMIN, admin.getSerialNumber()), PeerIdentity.of(admin));
        assertEquals(List.of(), Certificates.subjectAltNames(admin), "an admin is never an endpoint");
    }

    @Test
    void shouldGiveASourceItsNameAsSanWhenItIsAHostName() {
        assertEquals(List.of("DNS:db-01", "IP:10.0.0.8"), Certificates.subjectAltNames(
                ca.issue(Role.SOURCE, "db-01", List.of("10.0.0.8"), 30, dir.resolve("s1"))));
        assertEquals(List.of("IP:10.0.0.9"), Certificates.subjectAltNames(
                ca.issue(Role.SOURCE, "10.0.0.9", List.of(), 30, dir.resolve("s2"))));
        assertEquals(List.of(), Certificates.subjectAltNames(ca.issue(Role.SOURCE, "db_01", List.of(), 30,
                dir.resolve("s3"))), "an id that is no host name is left out");
    }

    @Test
    void shouldRefuseNamesThatCouldEscapeADirectory() {
        assertEquals("invalid --name '../x': character 0x2f at 2 is not allowed", assertThrows(PkiException.class,
                () -> ca.issue(Role.SOURCE, "../x", List.of(), 30, dir.resolve("x"))).getMessage());
        assertEquals("invalid --name 'a\\x0ab': character 0x0a at 1 is not allowed", assertThrows(PkiException.class,
                () -> ca.issue(Role.SOURCE, "a\nb", List.of(), 30, dir.resolve("x"))).getMessage());
        assertTrue(assertThrows(PkiException.class, () -> ca.issue(Role.TARGET, "no such host", List.of(), 30,
                dir.resolve("x"))).getMessage().startsWith("invalid --name 'no such host': not an IP address or a DNS name"));
        assertFalse(Files.exists(dir.resolve("x")), "nothing written for a refused name");
    }

    @Test
    void shouldRefuseToOverwriteABundle() {
        ca.issue(Role.SOURCE, "db-01", List.of(), 30, dir.resolve("s"));
        assertTrue(assertThrows(PkiException.class, () -> ca.issue(Role.SOURCE, "db-01", List.of(), 30,
                dir.resolve("s"))).getMessage().contains("already holds a node"));
    }

    @Test
    void shouldRefuseABundleDirectoryThatOthersMayChange() throws Exception {
        for (String mode : new String[] {"rwxrwxrwx", "rwxrwx---", "rwx-w----"}) {
            Path out = Files.createDirectory(dir.resolve("shared-" + mode));
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(mode));
            String m = assertThrows(PkiException.class, () -> ca.issue(Role.SOURCE, "db-01", List.of(), 30, out))
                    .getMessage();
            assertTrue(m.startsWith(out + ": refusing to write a bundle into a directory that ")
                    && m.contains("(permissions " + mode + "): chmod 700 " + out), m);
            try (var files = Files.list(out)) {
                assertEquals(List.of(), files.toList(), "nothing written into " + mode);
            }
        }
        Path mine = Files.createDirectory(dir.resolve("mine"));
        Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwxr-xr-x"));
        ca.issue(Role.SOURCE, "db-01", List.of(), 30, mine);
        assertEquals("db-01", PkiBundle.load(mine).identity().id());
        ca.issue(Role.SOURCE, "db-02", List.of(), 30, dir.resolve("new"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))));
    }

    @Test
    void shouldRefuseABundleDirectoryOwnedByAnotherUser() throws Exception {
        Path out = Files.createDirectory(dir.resolve("theirs"));
        try {
            Files.setOwner(out, out.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        } catch (java.io.IOException e) {
            Assumptions.abort("only root can give a directory to user nobody: " + e);
        }
        String m = assertThrows(PkiException.class, () -> ca.issue(Role.SOURCE, "db-01", List.of(), 30, out))
                .getMessage();
        assertTrue(m.startsWith(out + ": refusing to write a bundle into a directory owned by nobody"), m);
        try (var files = Files.list(out)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void shouldRevokeOnceAndRefuseSerialsItNeverIssued() {
        X509Certificate source = ca.issue(Role.SOURCE, "db-01", List.of(), 30, dir.resolve("s"));
        CertificateAuthority.Revocation first = ca.revoke(source);
        assertTrue(first.newly());
        assertFalse(ca.revoke(source.getSerialNumber()).newly());
        assertTrue(CrlCheck.load(ca.crlFile(), ca.certificate()).isRevoked(source));
        assertEquals("serial 99 was never issued by this CA (issued: 2-2)",
                assertThrows(PkiException.class, () -> ca.revoke(BigInteger.valueOf(99))).getMessage());
        X509Certificate stranger = CertificateAuthority.init(dir.resolve("other"), 30)
                .issue(Role.SOURCE, "db-01", List.of(), 30, dir.resolve("o"));
        assertTrue(assertThrows(PkiException.class, () -> ca.revoke(stranger)).getMessage().contains("not by the CA"));
    }
}
