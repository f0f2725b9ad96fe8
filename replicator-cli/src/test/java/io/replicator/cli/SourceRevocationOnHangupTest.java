package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.tls.CrlCheck;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SIGHUP path of the source: with file polling as good as off, a revoked target is cut off when
 * the daemon's revocation list is re-read as SIGHUP does it ({@code crl().reloadNow()}; a real signal
 * to the test JVM would be unsafe).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SourceRevocationOnHangupTest {
    @TempDir
    Path dir;

    @Test
    void shouldCutOffARevokedTargetWhenTheListIsReReadOnHangup() throws Exception {
        try (TlsPair pair = new TlsPair(dir, b -> b.crlPollIntervalMs(TimeUnit.HOURS.toMillis(1)))) {
            pair.revokeTargetForTheSource();
            assertTrue(pair.source.status().connected(), "nothing re-read the file yet");
            CrlCheck inForce = pair.source.crl().orElseThrow().reloadNow().get(30, TimeUnit.SECONDS);
            assertTrue(inForce.isRevoked(pair.targetCertificate()));
            SourceRevocationTest.assertRevokedTarget(pair,
                    pair.awaitSource(s -> !s.connected(), SourceRevocationTest.CUT_OFF_WAIT_MS));
            SourceRevocationTest.assertStaysAway(pair);
            assertFalse(pair.targetHasTheSource());
        }
    }
}
