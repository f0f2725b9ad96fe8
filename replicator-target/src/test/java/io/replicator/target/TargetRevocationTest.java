package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TestPki;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A certificate revoked while its source is connected: the session is cut off and the source cannot come back. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetRevocationTest {
    /** The requirement is one second; a loaded test machine gets five. */
    private static final long CUT_OFF_BOUND_MS = 5_000;

    @TempDir
    Path root;

    @Test
    void shouldCutOffAConnectedSourceWhoseCertificateIsRevokedAndRefuseItsReconnect() throws IOException {
        TestPki pki = new TestPki(root.resolve("pki"));
        PkiBundle targetBundle = pki.bundle(Role.TARGET, "127.0.0.1");
        PkiBundle sourceBundle = pki.bundle(Role.SOURCE, "a");
        PkiBundle otherBundle = pki.bundle(Role.SOURCE, "b");
        try (TargetFixture target = new TargetFixture(root.resolve("data"), b -> b.insecurePlaintext(false).pki(targetBundle),
                FileChannelOpener.DEFAULT);
                TestSource source = TestSource.connect(target.server.localAddress(), TestPki.sockets(sourceBundle));
                TestSource other = TestSource.connect(target.server.localAddress(), TestPki.sockets(otherBundle))) {
            source.hello("a", DISK0);
            other.hello("b", DISK0);
            source.send(target.block(0, 1, 0, TargetFixture.random(1, BLOCK)));
            source.awaitAck(1);

            long revokedNs = System.nanoTime();
            pki.revoke(sourceBundle, targetBundle);
            ErrorFrame error = source.expectError(ErrorCode.REVOKED);
            long cutOffMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedNs);

            String serial = sourceBundle.identity().serial().toString();
            assertTrue(error.message().contains("certificate serial " + serial + " of source a was revoked"),
                    error.message());
            assertTrue(cutOffMs < CUT_OFF_BOUND_MS, "cut off after " + cutOffMs + " ms");
            assertThrows(IOException.class, () -> {
                try (TestSource again = TestSource.connect(target.server.localAddress(), TestPki.sockets(sourceBundle))) {
                    again.hello("a", DISK0);
                }
            }, "a revoked certificate must not complete a new handshake");

            other.send(target.block(0, 1, 0, TargetFixture.random(2, BLOCK)));
            assertEquals(1, other.awaitAck(1).durableSequence(), "a source that was not revoked keeps replicating");
        }
    }
}
