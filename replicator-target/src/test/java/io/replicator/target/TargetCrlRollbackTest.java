package io.replicator.target;

import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.replicator.protocol.tls.PemWriter;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TestPki;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An older CRL copied over the one in force (a stale copy, or one put back on purpose) undoes no
 * revocation: the receiver refuses it and the revoked source stays out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetCrlRollbackTest {
    private static final long POLL_INTERVAL_MS = 50;
    /** Dozens of re-reads of the file: an older list that were taken would be in force long before. */
    private static final long WINDOW_MS = 2_000;

    @TempDir
    Path root;

    @Test
    void shouldKeepARevokedSourceOutWhenAnOlderCrlIsCopiedOverTheNewOne() throws Exception {
        TestPki pki = new TestPki(root.resolve("pki"));
        PkiBundle targetBundle = pki.bundle(Role.TARGET, "127.0.0.1");
        PkiBundle sourceBundle = pki.bundle(Role.SOURCE, "a");
        X509CRL older = pki.ca.currentCrl();
        try (TargetFixture target = new TargetFixture(root.resolve("data"), b -> b.insecurePlaintext(false)
                .pki(targetBundle).crlPollIntervalMs(POLL_INTERVAL_MS), FileChannelOpener.DEFAULT);
                TestSource source = TestSource.connect(target.server.localAddress(), TestPki.sockets(sourceBundle))) {
            source.hello("a", DISK0);
            pki.revoke(sourceBundle, targetBundle);
            source.expectError(ErrorCode.REVOKED);

            PemWriter.writeCrl(targetBundle.dir().resolve(PkiBundle.CRL), older);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WINDOW_MS);
            while (System.nanoTime() - end < 0) {
                assertThrows(IOException.class, () -> {
                    try (TestSource again = TestSource.connect(target.server.localAddress(),
                            TestPki.sockets(sourceBundle))) {
                        again.hello("a", DISK0);
                    }
                }, "a revoked certificate must stay refused after an older CRL was copied over the newer one");
                Thread.sleep(POLL_INTERVAL_MS);
            }
        }
    }
}
