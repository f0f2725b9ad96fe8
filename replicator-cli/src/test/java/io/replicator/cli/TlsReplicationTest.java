package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import io.replicator.source.Outcome;
import io.replicator.source.SourceStartException;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Replication over mutual TLS 1.3 with bundles from the tool's own PKI, and the refusals around it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsReplicationTest {
    @TempDir
    Path dir;

    private PkiBundle bundle(CertificateAuthority ca, Role role, String name) throws Exception {
        Path out = dir.resolve("bundle-" + role.label() + "-" + name + "-" + ca.dir().getFileName());
        ca.issue(role, name, List.of(), 30, out);
        return PkiBundle.load(out);
    }

    private TargetServer tlsTarget(PkiBundle pki, Replication r) throws Exception {
        r.target = TargetServer.start(TargetConfig.builder().listen(r.targetAddress).dataDir(dir.resolve("target"))
                .pki(pki).build(), r.registry);
        r.targetAddress = r.target.localAddress();
        return r.target;
    }

    @Test
    void shouldReplicateOverMutualTls() throws Exception {
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), 30);
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 8L << 20, 1);
        try (Replication r = new Replication(dir)) {
            tlsTarget(bundle(ca, Role.TARGET, "127.0.0.1"), r);
            r.source = io.replicator.source.SourceDaemon.start(r.sourceConfig(volume, "disk0")
                    .pki(bundle(ca, Role.SOURCE, "src")).build(), r.registry);
            assertEquals(Outcome.OK, r.source.sync().get(60, TimeUnit.SECONDS).result());
            Replication.assertSameBytes(volume, r.targetImage("disk0"));
            assertTrue(r.source.cutover(List.of(), 60_000).get(90, TimeUnit.SECONDS).ok());
        }
    }

    @Test
    void shouldRefuseASourceWithoutTlsOrFromAnotherCaAndWriteNothing() throws Exception {
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), 30);
        CertificateAuthority stranger = CertificateAuthority.init(dir.resolve("other-ca"), 30);
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 1L << 20, 2);
        try (Replication r = new Replication(dir)) {
            tlsTarget(bundle(ca, Role.TARGET, "127.0.0.1"), r);
            SourceStartException plain = assertThrows(SourceStartException.class,
                    () -> io.replicator.source.SourceDaemon.start(r.sourceConfig(volume, "disk0").pki(null)
                            .insecurePlaintext(true).build(), r.registry));
            assertTrue(plain.getMessage().startsWith("cannot reach target 127.0.0.1:"), plain.getMessage());
            SourceStartException foreign = assertThrows(SourceStartException.class,
                    () -> io.replicator.source.SourceDaemon.start(r.sourceConfig(volume, "disk0")
                            .pki(bundle(stranger, Role.SOURCE, "src")).build(), r.registry));
            assertTrue(foreign.getMessage().contains("cannot reach target"), foreign.getMessage());
            assertTrue(Files.notExists(r.targetImage("disk0")), "nothing was written for a refused source");
        }
    }

    @Test
    void shouldRefuseATargetWhoseCertificateNamesAnotherHost() throws Exception {
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), 30);
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 1L << 20, 3);
        try (Replication r = new Replication(dir)) {
            tlsTarget(bundle(ca, Role.TARGET, "replica.example"), r);
            SourceStartException e = assertThrows(SourceStartException.class,
                    () -> io.replicator.source.SourceDaemon.start(r.sourceConfig(volume, "disk0")
                            .pki(bundle(ca, Role.SOURCE, "src")).build(), r.registry));
            assertTrue(e.getMessage().contains("cannot reach target"), e.getMessage());
        }
    }
}
