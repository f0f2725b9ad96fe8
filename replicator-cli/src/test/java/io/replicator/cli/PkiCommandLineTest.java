package io.replicator.cli;

import static io.replicator.cli.CliRun.assertOneLineExit2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code replicator pki init|issue|revoke} through the command line: files, modes, refusals, the CRL. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PkiCommandLineTest {
    @TempDir
    Path dir;


    private static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    private Path ca() {
        Path ca = dir.resolve("ca");
        assertEquals(0, CliRun.run("pki", "init", "--dir", ca.toString()).exit());
        return ca;
    }

    @ParameterizedTest
    @ValueSource(strings = {"init", "issue", "revoke"})
    void shouldPrintHelpForEveryPkiCommand(String command) {
        CliRun r = CliRun.run("pki", command, "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Usage: replicator pki " + command), r.out());
    }

    @Test
    void shouldMakeACaWithAnOwnerOnlyKeyAndRefuseToOverwriteIt() throws Exception {
        Path ca = ca();
        for (String f : new String[] {"ca.crt", "ca.key", "crl.pem", "serial"}) {
            assertTrue(Files.exists(ca.resolve(f)), f);
        }
        assertEquals("rw-------", mode(ca.resolve("ca.key")));
        String before = Files.readString(ca.resolve("ca.key"));
        assertOneLineExit2(CliRun.run("pki", "init", "--dir", ca.toString()), "already holds a CA");
        assertEquals(before, Files.readString(ca.resolve("ca.key")), "the CA key is untouched");
    }

    @Test
    void shouldIssueBundlesThatLoad() throws Exception {
        Path ca = ca();
        Path target = dir.resolve("target");
        CliRun r = CliRun.run("pki", "issue", "--dir", ca.toString(), "--role", "target", "--name", "127.0.0.1",
                "--san", "replica.example", "--out", target.toString(), "--days", "10");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("issued target '127.0.0.1' serial 2"), r.out());
        for (String f : new String[] {"ca.crt", "node.crt", "node.key", "crl.pem"}) {
            assertTrue(Files.exists(target.resolve(f)), f);
        }
        assertEquals("rw-------", mode(target.resolve("node.key")));
        PkiBundle bundle = PkiBundle.load(target);
        assertEquals(Role.TARGET, bundle.identity().role());
        assertEquals(2, bundle.nodeCertificate().getSubjectAlternativeNames().size());
        assertEquals(0, CliRun.run("pki", "issue", "--dir", ca.toString(), "--role", "source", "--name", "db-01",
                "--out", dir.resolve("source").toString()).exit());
        assertEquals("db-01", PkiBundle.load(dir.resolve("source")).identity().id());
    }

    @Test
    void shouldRefuseToIssueIntoADirectoryThatOthersMayWrite() throws Exception {
        Path ca = ca();
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertOneLineExit2(CliRun.run("pki", "issue", "--dir", ca.toString(), "--role", "target", "--name",
                "10.0.0.7", "--out", shared.toString()), shared + ": refusing to write a bundle into a directory that "
                + "others may change (permissions rwxrwxrwx): chmod 700 " + shared);
        try (var files = Files.list(shared)) {
            assertEquals(0, files.count(), "nothing written, no key left behind");
        }
        assertEquals("rwxrwxrwx", mode(shared), "the directory is left as it was");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwx------"));
        CliRun r = CliRun.run("pki", "issue", "--dir", ca.toString(), "--role", "target", "--name", "10.0.0.7",
                "--out", shared.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("with HOST one of: 10.0.0.7 (add more with --san)"), r.out());
    }

    @Test
    void shouldRefuseABadNameWithOneLine() {
        Path ca = ca();
        assertOneLineExit2(CliRun.run("pki", "issue", "--dir", ca.toString(), "--role", "source", "--name", "../x",
                "--out", dir.resolve("x").toString()), "invalid --name '../x': character 0x2f at 2 is not allowed");
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void shouldRefuseABadRoleAndAMissingCaWithOneLine() {
        Path ca = ca();
        assertOneLineExit2(CliRun.run("pki", "issue", "--dir", ca.toString(), "--role", "king", "--name", "a",
                "--out", dir.resolve("x").toString()), "invalid --role: 'king' (expected: source, target, admin)");
        assertOneLineExit2(CliRun.run("pki", "issue", "--dir", dir.resolve("none").toString(), "--role", "source",
                "--name", "a", "--out", dir.resolve("x").toString()), "ca.crt: missing");
        assertOneLineExit2(CliRun.run("pki", "init", "--dir", dir.resolve("c2").toString(), "--days", "0"),
                "invalid --days 0 (expected: 1-36500)");
    }

    @Test
    void shouldPutTheRevokedSerialIntoTheCrl() throws Exception {
        Path ca = ca();
        Path source = dir.resolve("source");
        assertEquals(0, CliRun.run("pki", "issue", "--dir", ca.toString(), "--role", "source", "--name", "db-01",
                "--out", source.toString()).exit());
        CliRun r = CliRun.run("pki", "revoke", "--dir", ca.toString(), "--cert", source.resolve("node.crt").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("serial 2 revoked") && r.out().contains("copy " + ca.resolve("crl.pem")), r.out());
        X509CRL crl;
        try (var in = Files.newInputStream(ca.resolve("crl.pem"))) {
            crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
        }
        assertTrue(crl.getRevokedCertificate(BigInteger.TWO) != null, crl.toString());
        assertTrue(crl.getNextUpdate().after(crl.getThisUpdate()));
        assertTrue(CliRun.run("pki", "revoke", "--dir", ca.toString(), "--serial", "2").out().contains("already revoked"));
        assertOneLineExit2(CliRun.run("pki", "revoke", "--dir", ca.toString(), "--serial", "7"),
                "serial 7 was never issued by this CA (issued: 2-2)");
        assertOneLineExit2(CliRun.run("pki", "revoke", "--dir", ca.toString()), "--serial");
    }
}
