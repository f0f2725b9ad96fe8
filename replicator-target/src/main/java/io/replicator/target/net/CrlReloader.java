package io.replicator.target.net;

import io.replicator.protocol.tls.CrlCheck;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.PkiException;
import io.replicator.target.internal.HangupSignal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the receiver's revocation list current: re-reads the bundle's {@code crl.pem} when its file
 * key, modification time or size changes (checked every {@code pollIntervalMs}) and on SIGHUP, and
 * hands each new list to {@code onReload} (which cuts off sessions it revokes). A file that is
 * missing or does not verify against the CA is logged and the previous list stays in force: a
 * revocation is never undone by a bad file. Reads happen on its own thread, never on an event loop;
 * {@link #current()} is safe from any thread.
 */
final class CrlReloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CrlReloader.class);

    private record Stamp(Object fileKey, long modifiedMs, long sizeBytes) {
    }

    private final PkiBundle bundle;
    private final Path file;
    private final Consumer<CrlCheck> onReload;
    private final ScheduledExecutorService thread;
    private final AutoCloseable hangup;
    private volatile CrlCheck current;
    /** Confined to {@link #thread}. */
    private Stamp seen;

    CrlReloader(PkiBundle bundle, long pollIntervalMs, Consumer<CrlCheck> onReload) {
        this.bundle = bundle;
        this.file = bundle.dir().resolve(PkiBundle.CRL);
        this.onReload = onReload;
        this.current = bundle.crlCheck();
        this.seen = stamp();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replicator-crl-reloader");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(() -> check(false), pollIntervalMs, pollIntervalMs, TimeUnit.MILLISECONDS);
        this.hangup = HangupSignal.onHangup(this::reloadNow);
    }

    /** The revocation list in force; asked on every TLS handshake. */
    CrlCheck current() {
        return current;
    }

    /** Re-reads the file soon (on the reloader's thread) whether or not it looks changed: what SIGHUP does. */
    void reloadNow() {
        thread.execute(() -> check(true));
    }

    private void check(boolean forced) {
        try {
            Stamp now = stamp();
            if (now == null) {
                if (seen != null || forced) {
                    log.warn("{} is gone; keeping the revocation list read before", file);
                }
                seen = null;
                return;
            }
            if (!forced && now.equals(seen)) {
                return;
            }
            seen = now;
            CrlCheck next = CrlCheck.load(file, bundle.caCertificate());
            current = next;
            log.info("revocation list {} {}: {} revoked certificates", file, forced ? "re-read on SIGHUP" : "changed",
                    next.crl().map(c -> c.getRevokedCertificates() == null ? 0 : c.getRevokedCertificates().size())
                            .orElse(0));
            onReload.accept(next);
        } catch (PkiException e) {
            log.error("cannot use the revocation list {}: {}; the previous one stays in force", file, e.getMessage());
        } catch (RuntimeException e) {
            log.error("re-reading the revocation list {} failed; the previous one stays in force", file, e);
        }
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(Objects.requireNonNullElse(a.fileKey(), ""), a.lastModifiedTime().toMillis(), a.size());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.warn("cannot read the attributes of {}: {}", file, e.toString());
            return seen;
        }
    }

    @Override
    public void close() {
        try {
            hangup.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot remove the SIGHUP listener", e);
        }
        thread.shutdownNow();
    }
}
