package io.replicator.protocol.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revocation list a daemon follows: a newer list is put in force on a file change and on the
 * SIGHUP path ({@link CrlReloader#reloadNow()}), and anything that would undo a revocation (an older
 * list by number or by date, another list of the same number, a bad or missing file) changes nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrlReloaderTest {
    /** Long enough that only {@link CrlReloader#reloadNow()} reads the file in the tests that use it. */
    private static final long NO_POLL_MS = TimeUnit.HOURS.toMillis(1);

    @TempDir
    Path dir;

    private TestPki pki;
    private PkiBundle node;
    private PkiBundle a;
    private PkiBundle b;
    private final List<CrlCheck> changes = new CopyOnWriteArrayList<>();
    private CrlReloader reloader;

    @BeforeEach
    void issue() {
        pki = new TestPki(dir, "ca");
        node = pki.bundle(Role.TARGET, "127.0.0.1", "node");
        a = pki.bundle(Role.SOURCE, "a", "a");
        b = pki.bundle(Role.SOURCE, "b", "b");
    }

    @AfterEach
    void close() {
        if (reloader != null) {
            reloader.close();
        }
    }

    private CrlReloader follow(long pollIntervalMs) {
        reloader = new CrlReloader(node, pollIntervalMs);
        reloader.onChange(changes::add);
        return reloader;
    }

    private void install(X509CRL crl) {
        PemWriter.writeCrl(node.dir().resolve(PkiBundle.CRL), crl);
    }

    private CrlCheck reloadNow() throws Exception {
        return reloader.reloadNow().get(30, TimeUnit.SECONDS);
    }

    @Test
    void shouldRefuseAnOlderListAndKeepTheRevocationsInForce() throws Exception {
        X509CRL empty = pki.ca.currentCrl();
        pki.ca.revoke(a.nodeCertificate());
        X509CRL onlyA = pki.ca.currentCrl();
        pki.ca.revoke(b.nodeCertificate());
        X509CRL both = pki.ca.currentCrl();
        follow(NO_POLL_MS);

        install(both);
        CrlCheck inForce = reloadNow();
        assertEquals(BigInteger.valueOf(3), inForce.number().orElseThrow());
        assertEquals(1, changes.size());

        for (X509CRL older : List.of(onlyA, empty)) {
            install(older);
            assertSame(inForce, reloadNow(), "an older list changes nothing");
            assertTrue(reloader.current().isRevoked(b.nodeCertificate()), "b stays revoked");
            assertTrue(reloader.current().isRevoked(a.nodeCertificate()), "a stays revoked");
        }
        assertEquals(1, changes.size(), "no listener hears of an older list");
    }

    /** Follows the node's file, read only by {@link #reloadNow()}, with a list revoking 'a' in force. */
    private CrlCheck followWithARevoked() throws Exception {
        pki.ca.revoke(a.nodeCertificate());
        follow(NO_POLL_MS);
        install(pki.ca.currentCrl());
        return reloadNow();
    }

    @Test
    void shouldRefuseAListOfTheSameNumberWithOtherEntries() throws Exception {
        CrlCheck inForce = followWithARevoked();
        // What a CA restored from a backup taken before 'a' was revoked would sign next.
        install(sign(null, b, inForce.number().orElseThrow(), Instant.now().plusSeconds(5)));
        assertSame(inForce, reloadNow());
        assertTrue(reloader.current().isRevoked(a.nodeCertificate()));
        assertFalse(reloader.current().isRevoked(b.nodeCertificate()));
    }

    @Test
    void shouldRefuseAListSignedBeforeTheOneInForceWhateverItsNumber() throws Exception {
        CrlCheck inForce = followWithARevoked();
        Instant earlier = inForce.thisUpdate().orElseThrow().minus(Duration.ofHours(1));
        install(sign(null, b, BigInteger.valueOf(99), earlier));
        assertSame(inForce, reloadNow());
        assertTrue(reloader.current().isRevoked(a.nodeCertificate()));
    }

    @Test
    void shouldPutANewerListInForceWhenTheFileChanges() throws Exception {
        CompletableFuture<CrlCheck> heard = new CompletableFuture<>();
        follow(20).onChange(heard::complete);
        assertFalse(reloader.current().isRevoked(a.nodeCertificate()));
        pki.ca.revoke(a.nodeCertificate());
        install(pki.ca.currentCrl());
        CrlCheck next = heard.get(30, TimeUnit.SECONDS);
        assertTrue(next.isRevoked(a.nodeCertificate()));
        assertSame(next, reloader.current());
        assertSame(next, reloader.get(), "the supplier TLS contexts ask");
    }

    @Test
    void shouldKeepTheListInForceWhenTheFileIsBadOrGone() throws Exception {
        CrlCheck inForce = followWithARevoked();
        Path file = node.dir().resolve(PkiBundle.CRL);
        Files.writeString(file, "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n",
                StandardCharsets.US_ASCII);
        assertSame(inForce, reloadNow());
        install(new TestPki(dir, "other-ca").ca.currentCrl());
        assertSame(inForce, reloadNow(), "a list another CA signed");
        Files.delete(file);
        assertSame(inForce, reloadNow());
        assertEquals(1, changes.size());
        assertTrue(reloader.current().isRevoked(a.nodeCertificate()));
    }

    /** A CRL of the test CA revoking {@code revoked}, with the number and thisUpdate given. */
    private X509CRL sign(X509CRL previous, PkiBundle revoked, BigInteger number, Instant thisUpdate) {
        PrivateKey key = Pem.readPrivateKey(pki.ca.dir().resolve(CertificateAuthority.CA_KEY));
        return CertificateSigner.crl(pki.ca.certificate(), key, previous, revoked.nodeCertificate().getSerialNumber(),
                number, thisUpdate, thisUpdate.plus(Duration.ofDays(1)));
    }
}
