package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.Pem;
import io.replicator.protocol.tls.PemWriter;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import io.replicator.source.Outcome;
import io.replicator.source.SourceConfig;
import io.replicator.source.SourceDaemon;
import io.replicator.source.SourceStatus;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import io.replicator.target.TargetStatus;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A target and a source daemon in this JVM over mutual TLS 1.3 on 127.0.0.1, with a CA of their own
 * (so that revoking one of its certificates touches no other test) and a bundle directory each. Not
 * thread-safe: owned by the test thread.
 */
final class TlsPair implements AutoCloseable {
    static final String SOURCE_ID = "src";
    static final String VOLUME = "disk0";
    private static final long POLL_MS = 50;

    final Path dir;
    final CertificateAuthority ca;
    final Path targetBundle;
    final Path sourceBundle;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TargetServer target;
    final SourceDaemon source;

    /** Starts both and syncs a 1 MiB volume; {@code sourceConfig} may change the source's configuration. */
    TlsPair(Path dir, UnaryOperator<SourceConfig.Builder> sourceConfig) throws Exception {
        this.dir = dir;
        ca = CertificateAuthority.init(dir.resolve("ca"), 30);
        targetBundle = dir.resolve("target-bundle");
        sourceBundle = dir.resolve("source-bundle");
        ca.issue(Role.TARGET, "127.0.0.1", List.of(), 30, targetBundle);
        ca.issue(Role.SOURCE, SOURCE_ID, List.of(), 30, sourceBundle);
        Path volume = dir.resolve(VOLUME + ".img");
        MixedImage.write(volume, 1L << 20, 7);
        target = TargetServer.start(TargetConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .dataDir(dir.resolve("data")).pki(PkiBundle.load(targetBundle)).build(), registry);
        SourceDaemon started;
        try {
            started = SourceDaemon.start(sourceConfig.apply(SourceConfig.builder().target(target.localAddress())
                    .volume(volume, VOLUME).stateDir(dir.resolve("state")).id(SOURCE_ID)
                    .tracker(SourceConfig.Tracker.SCAN).scanIntervalMs(200).reconnectMs(50, 200)
                    .pki(PkiBundle.load(sourceBundle))).build(), registry);
        } catch (Exception e) {
            target.close();
            throw e;
        }
        source = started;
        assertEquals(Outcome.OK, source.sync().get(60, TimeUnit.SECONDS).result());
    }

    /** What {@code pki revoke} and the admin do: revoke, then copy the CA's CRL over the source's {@code crl.pem}. */
    void revokeTargetForTheSource() {
        ca.revoke(targetCertificate());
        PemWriter.writeCrl(sourceBundle.resolve(PkiBundle.CRL), ca.currentCrl());
    }

    X509Certificate targetCertificate() {
        return Pem.readCertificate(targetBundle.resolve(PkiBundle.NODE_CERT));
    }

    /** Polls the source's status until {@code done} holds; fails naming the last status after {@code timeoutMs}. */
    SourceStatus awaitSource(Predicate<SourceStatus> done, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        SourceStatus s = source.status();
        while (!done.test(s)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("the source did not get there within " + timeoutMs + " ms: " + s);
            }
            Thread.sleep(POLL_MS);
            s = source.status();
        }
        return s;
    }

    /** Whether the target has the source connected now. */
    boolean targetHasTheSource() {
        for (TargetStatus.SourceStatus s : target.status().sources()) {
            if (s.id().equals(SOURCE_ID) && s.connected()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            source.close();
        } finally {
            target.close();
        }
    }
}
