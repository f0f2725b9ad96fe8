package io.replicator.cli;

import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The test PKI every end-to-end test shares: one CA made once per JVM in a temporary directory
 * (deleted when the JVM exits), and bundles issued on first use, one per role and name. The target
 * is {@code 127.0.0.1}, the address the tests dial. Thread-safe.
 */
final class TestPki {
    static final String TARGET_NAME = "127.0.0.1";
    private static TestPki shared;

    private final Path root;
    private final CertificateAuthority ca;
    private final Map<String, Path> bundles = new HashMap<>();

    private TestPki(Path root) {
        this.root = root;
        this.ca = CertificateAuthority.init(root.resolve("ca"), 30);
    }

    /** The JVM's test PKI, made on first use. */
    static synchronized TestPki shared() {
        if (shared == null) {
            try {
                Path root = Files.createTempDirectory("replicator-test-pki-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root), "test-pki-cleanup"));
                shared = new TestPki(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /** The bundle directory of {@code role} and {@code name}, issued on first use. */
    synchronized Path bundleDir(Role role, String name) {
        return bundles.computeIfAbsent(role.label() + "-" + name, key -> {
            Path out = root.resolve(key);
            ca.issue(role, name, List.of(), 30, out);
            return out;
        });
    }

    PkiBundle bundle(Role role, String name) {
        return PkiBundle.load(bundleDir(role, name));
    }

    Path target() {
        return bundleDir(Role.TARGET, TARGET_NAME);
    }

    Path source(String id) {
        return bundleDir(Role.SOURCE, id);
    }

    Path admin() {
        return bundleDir(Role.ADMIN, "ops");
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
