package io.replicator.cli;

import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.PkiException;
import java.nio.file.Path;

/** Loads a daemon's {@code --pki} bundle; a bad bundle is a one-line usage error naming what is wrong. */
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
}
