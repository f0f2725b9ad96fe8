package io.replicator.protocol.tls;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** A CA in a test's temporary directory and bundles issued by it. Not thread-safe: one per test. */
final class TestPki {
    final Path root;
    final CertificateAuthority ca;

    TestPki(Path root, String caDir) {
        this.root = root;
        Instant now = Instant.now();
        this.ca = CertificateAuthority.init(root.resolve(caDir), now.minus(java.time.Duration.ofDays(30)),
                now.plus(java.time.Duration.ofDays(30)));
    }

    /** Issues a bundle for {@code role} and {@code name} into {@code root/out} and loads it. */
    PkiBundle bundle(Role role, String name, String out) {
        ca.issue(role, name, List.of(), 30, root.resolve(out));
        return PkiBundle.load(root.resolve(out));
    }

    /** Issues a bundle valid only between the two instants and loads it as of {@code notBefore}. */
    PkiBundle bundle(Role role, String name, String out, Instant notBefore, Instant notAfter) {
        ca.issue(role, name, List.of(), notBefore, notAfter, root.resolve(out));
        return PkiBundle.load(root.resolve(out), notBefore);
    }

    /** The CA's revocation check as on disk now. */
    CrlCheck currentCrl() {
        return CrlCheck.of(ca.currentCrl(), ca.certificate());
    }

    /** Every message in the cause chain, joined: what a test asserts a refusal on. */
    static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }
}
