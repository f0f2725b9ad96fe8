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
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** With TLS, who may connect and as whom: a source certificate, only as its own id, only inside DATA_DIR. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetTlsIdentityTest {
    @TempDir
    Path root;
    private TestPki pki;
    private PkiBundle targetBundle;
    private Path dataDir;

    @BeforeEach
    void makePki() {
        pki = new TestPki(root.resolve("pki"));
        targetBundle = pki.bundle(Role.TARGET, "127.0.0.1");
        dataDir = root.resolve("data");
    }

    private TargetFixture tlsTarget() throws IOException {
        return new TargetFixture(dataDir, b -> b.insecurePlaintext(false).pki(targetBundle), FileChannelOpener.DEFAULT);
    }

    private static void assertEmpty(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "nothing may be written under " + dir);
        }
    }

    @Test
    void shouldReplicateFromASourceWhoseHelloNamesItsCertificateId() throws IOException {
        try (TargetFixture target = tlsTarget();
                TestSource source = TestSource.connect(target.server.localAddress(),
                        TestPki.sockets(pki.bundle(Role.SOURCE, "a")))) {
            source.hello("a", DISK0);
            source.send(target.block(0, 1, 0, TargetFixture.random(1, BLOCK)));
            assertEquals(1, source.awaitAck(1).durableSequence());
        }
        assertTrue(Files.exists(dataDir.resolve("a").resolve("disk0.img")));
    }

    @Test
    void shouldRefuseAHelloForAnotherSourceThanTheCertificateNamesAndWriteNothing() throws IOException {
        try (TargetFixture target = tlsTarget();
                TestSource source = TestSource.connect(target.server.localAddress(),
                        TestPki.sockets(pki.bundle(Role.SOURCE, "a")))) {
            source.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                    ProtocolVersion.SUPPORTED_FEATURES, "b", List.of(DISK0)));
            ErrorFrame error = source.expectError(ErrorCode.NOT_AUTHORIZED);
            assertTrue(error.message().contains("'a'") && error.message().contains("'b'"), error.message());
            assertTrue(target.server.status().sources().isEmpty(), "no source was registered");
        }
        assertEmpty(dataDir);
    }

    @Test
    void shouldRefuseATargetCertificateUsedAsAClient() throws IOException {
        try (TargetFixture target = tlsTarget();
                TestSource source = TestSource.connect(target.server.localAddress(),
                        TestPki.sockets(pki.bundle(Role.TARGET, "other-target")))) {
            ErrorFrame error = source.expectError(ErrorCode.NOT_AUTHORIZED);
            assertTrue(error.message().contains("role target"), error.message());
        }
        assertEmpty(dataDir);
    }

    @Test
    void shouldRefuseAVolumeNamedToClimbOutOfTheDataDirectory() throws IOException {
        String evil = "../../etc/x";
        String placeholder = "z".repeat(evil.length());
        byte[] hello = TestSource.encode(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                ProtocolVersion.SUPPORTED_FEATURES, "a", List.of(new VolumeInfo(placeholder, 1 << 20, BLOCK))));
        String wire = new String(hello, StandardCharsets.ISO_8859_1).replace(placeholder, evil);
        try (TargetFixture target = tlsTarget();
                TestSource source = TestSource.connect(target.server.localAddress(),
                        TestPki.sockets(pki.bundle(Role.SOURCE, "a")))) {
            source.sendBytes(TestSource.reseal(wire.getBytes(StandardCharsets.ISO_8859_1)));
            ErrorFrame error = source.expectError(ErrorCode.MALFORMED_FRAME);
            assertTrue(error.message().contains("volume name"), error.message());
        }
        assertEmpty(dataDir);
        try (Stream<Path> files = Files.walk(root)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().equals("x")
                    || p.getFileName().toString().equals("etc")).toList());
        }
    }

    @Test
    void shouldRefuseAClientWithoutACertificateDuringTheHandshake() throws Exception {
        try (TargetFixture target = tlsTarget()) {
            TestSource source = TestSource.connect(target.server.localAddress());
            try (source) {
                source.sendBytes(TestSource.encode(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED, 0, "a", List.of(DISK0))));
                assertThrows(IOException.class, source::read, "a plaintext HELLO gets no answer but a close");
            }
            io.micrometer.core.instrument.Counter refused = target.meters.get(TargetMetrics.CONNECTIONS_REFUSED)
                    .tag("reason", "tls").counter();
            while (refused.count() < 1) { // the receiver may close before it counts
                Thread.sleep(10);
            }
        }
        assertEmpty(dataDir);
    }
}
