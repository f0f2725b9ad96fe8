package io.replicator.protocol.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a daemon's revocation list current: re-reads its bundle's {@code crl.pem} when the file's
 * key, modification time or size changes (checked every {@code pollIntervalMs}) and on SIGHUP, puts
 * the new list in force ({@link #current()}, asked on every TLS handshake and admin request) and then
 * hands it to every listener ({@link #onChange}), which cuts off the connected peers it revokes.
 *
 * <p>A list is refused, with a log line, and the one in force stays when the file is missing, does not
 * verify against the CA, or is older than the list in force (a lower CRL number, the same number with
 * other entries, or an earlier thisUpdate): a revocation is never undone by a bad or replayed file.
 *
 * <p>Thread-safety: reads and listeners run on the reloader's own thread, never on an event loop;
 * {@link #current()} and {@link #get()} are safe from any thread. Both daemons (the receiver, the
 * source) and their admin endpoints share one reloader per process.
 */
public final class CrlReloader implements Supplier<CrlCheck>, AutoCloseable {
    /** How often the file is checked for a change unless told otherwise. */
    public static final long DEFAULT_POLL_INTERVAL_MS = 250;
    private static final Logger log = LoggerFactory.getLogger(CrlReloader.class);

    private record Stamp(Object fileKey, long modifiedMs, long sizeBytes) {
    }

    /** Equals no file's stamp: the first check reads the file, which may have changed since the bundle was loaded. */
    private static final Stamp UNREAD = new Stamp(new Object(), -1, -1);

    private final PkiBundle bundle;
    private final Path file;
    private final List<Consumer<CrlCheck>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread;
    private final AutoCloseable hangup;
    private volatile CrlCheck current;
    /** Confined to {@link #thread}. */
    private Stamp seen;

    /** Starts following {@code bundle}'s {@code crl.pem}, with the list the bundle loaded in force. */
    public CrlReloader(PkiBundle bundle, long pollIntervalMs) {
        if (pollIntervalMs <= 0) {
            throw new IllegalArgumentException("invalid CRL poll interval " + pollIntervalMs + " ms (expected: > 0)");
        }
        this.bundle = bundle;
        this.file = bundle.dir().resolve(PkiBundle.CRL);
        this.current = bundle.crlCheck();
        this.seen = stamp() == null ? null : UNREAD;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replicator-crl-reloader");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(() -> check(false), pollIntervalMs, pollIntervalMs, TimeUnit.MILLISECONDS);
        this.hangup = HangupSignal.onHangup(this::reloadNow);
    }

    /** The revocation list in force. */
    public CrlCheck current() {
        return current;
    }

    /** The same as {@link #current()}: a reloader is what TLS contexts take as their CRL supplier. */
    @Override
    public CrlCheck get() {
        return current;
    }

    /**
     * Calls {@code listener} on the reloader's thread with each list put in force from now on, until
     * the returned handle is closed. A listener that throws is logged; the others still run.
     */
    public Registration onChange(Consumer<CrlCheck> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** A listener's handle: closing it stops the calls. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Re-reads the file soon (on the reloader's thread) whether or not it looks changed: what SIGHUP
     * does. The future completes with the list in force afterwards, the new one or, when the file was
     * refused, the one before.
     */
    public CompletableFuture<CrlCheck> reloadNow() {
        CompletableFuture<CrlCheck> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                check(true);
                done.complete(current);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the revocation list of " + bundle.dir()
                    + " is no longer followed (closed)", e));
        }
        return done;
    }

    private void check(boolean forced) {
        try {
            Stamp now = stamp();
            if (now == null) {
                if (seen != null || forced) {
                    log.warn("{} is gone; keeping the revocation list in force ({})", file, current.describe());
                }
                seen = null;
                return;
            }
            if (!forced && now.equals(seen)) {
                return;
            }
            seen = now;
            CrlCheck next = CrlCheck.load(file, bundle.caCertificate());
            if (!forced && next.crl().equals(current.crl())) {
                return;
            }
            String older = next.olderThan(current);
            if (older != null) {
                log.error("refusing the revocation list {} ({}): {}; the list in force ({}) stays", file,
                        next.describe(), older, current.describe());
                return;
            }
            current = next;
            log.info("revocation list {} {}: {}", file, forced ? "re-read on SIGHUP" : "changed", next.describe());
            if (next.isRevoked(bundle.nodeCertificate())) {
                log.warn("the revocation list {} revokes this node's own certificate {}: peers will refuse it", file,
                        Certificates.describe(bundle.nodeCertificate()));
            }
            for (Consumer<CrlCheck> listener : listeners) {
                try {
                    listener.accept(next);
                } catch (RuntimeException e) {
                    log.error("a listener of the revocation list {} failed", file, e);
                }
            }
        } catch (PkiException e) {
            log.error("cannot use the revocation list {}: {}; the list in force ({}) stays", file, e.getMessage(),
                    current.describe());
        } catch (RuntimeException e) {
            log.error("re-reading the revocation list {} failed; the list in force stays", file, e);
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

    /** Stops following the file and the signal; the list in force stays readable. */
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
