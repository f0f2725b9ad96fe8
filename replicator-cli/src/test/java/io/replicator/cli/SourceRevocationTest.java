package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.source.SourceStatus;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source follows revocation: a target whose certificate is revoked while the source is connected
 * to it (the CA's new {@code crl.pem} copied into the source's bundle) is disconnected, the source's
 * status says why, and it does not connect to that target again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SourceRevocationTest {
    /** Generous for a loaded machine: the file is checked every 250 ms. */
    static final long CUT_OFF_WAIT_MS = 30_000;
    /** How long the source must stay away: many reconnect attempts at its 50-200 ms backoff. */
    static final long STAYS_AWAY_MS = 2_000;

    @TempDir
    Path dir;

    @Test
    void shouldCutOffATargetRevokedWhileConnectedAndNotReconnectToIt() throws Exception {
        try (TlsPair pair = new TlsPair(dir, b -> b)) {
            assertTrue(pair.source.status().connected());
            pair.revokeTargetForTheSource();
            SourceStatus cut = pair.awaitSource(s -> !s.connected(), CUT_OFF_WAIT_MS);
            assertRevokedTarget(pair, cut);
            assertStaysAway(pair);
        }
    }

    static void assertRevokedTarget(TlsPair pair, SourceStatus s) {
        assertFalse(s.connected(), s.toString());
        assertTrue(s.lastError() != null && s.lastError().contains("revoked")
                && s.lastError().contains("serial " + pair.targetCertificate().getSerialNumber()), s.toString());
    }

    /** The source does not connect again: polled through many of its reconnect attempts. */
    static void assertStaysAway(TlsPair pair) throws Exception {
        long dropDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CUT_OFF_WAIT_MS);
        while (pair.targetHasTheSource()) {
            assertTrue(System.nanoTime() - dropDeadline < 0, "the target still has the source after the cut-off");
            Thread.sleep(50);
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STAYS_AWAY_MS);
        while (System.nanoTime() - end < 0) {
            SourceStatus s = pair.source.status();
            assertRevokedTarget(pair, s);
            assertFalse(pair.targetHasTheSource(), "the target must not have the source back");
            Thread.sleep(50);
        }
    }
}
