package io.replicator.cli;

import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.PkiException;
import io.replicator.protocol.tls.Plaintext;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Loads a command's {@code --pki} bundle; a bad bundle is a one-line usage error naming what is wrong. */
final class PkiBundles {
    private PkiBundles() {
    }

    static PkiBundle load(Path dir) {
        try {
            return PkiBundle.load(dir);
        } catch (PkiException e) {
            throw new Main.UsageException("--pki " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A daemon's transport from its flags: the loaded bundle for mutual TLS, or null for plain TCP,
     * which {@code --insecure-plaintext} allows on a loopback {@code address} only (see {@link Plaintext}).
     */
    static PkiBundle forDaemon(Path pki, boolean insecurePlaintext, InetSocketAddress address, String what) {
        if (pki != null && insecurePlaintext) {
            throw new Main.UsageException("--pki and " + Plaintext.FLAG + " exclude each other: give one");
        }
        PkiBundle bundle = pki == null ? null : load(pki);
        try {
            Plaintext.check(bundle, insecurePlaintext, address, what);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        return bundle;
    }
}
