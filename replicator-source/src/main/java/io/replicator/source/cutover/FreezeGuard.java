package io.replicator.source.cutover;

import io.replicator.source.sys.Command;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds file systems frozen in a small process of its own ({@code freeze-guard.sh}), so that a
 * freeze outlives nothing: the guard freezes the mount points itself and thaws them when the daemon
 * asks ({@link #thaw}), when the daemon is gone (its standard input, a pipe from this JVM, closes on
 * a crash or {@code kill -9}), on SIGTERM, or at its deadline even while this JVM hangs. The guard
 * runs in a session of its own ({@code setsid}) and writes nothing but its report to a pipe: no I/O
 * on a frozen file system. Before it starts, the mount points are written to a {@link FreezeRecord}
 * under the run directory, which a restarted daemon reads to thaw what a guard killed with it left.
 *
 * <p>While frozen, the daemon's own output is held in memory if it goes to a file on a frozen
 * device ({@link HeldOutput}). Thread-safe: {@link #thaw} may be called from any thread; one thread
 * of its own reads the guard's report and never touches a file system.
 */
public final class FreezeGuard {
    private static final Logger LOG = LoggerFactory.getLogger(FreezeGuard.class);
    /** The guard's own deadline lies this far behind the daemon's, which thaws first when it can. */
    static final long BACKSTOP_MS = 300;
    private static final long THAW_COMMAND_TIMEOUT_SECONDS = 10;
    private static final String SCRIPT = loadScript();

    /** How the freeze ended for one mount point. */
    public record Thawed(Path mount, boolean ok, String detail) {
    }

    private final List<Path> mounts;
    private final FreezeRecord record;
    private final Process process;
    private final OutputStream toGuard;
    private final List<Path> frozen = new CopyOnWriteArrayList<>();
    private final List<Thawed> thawed = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<List<Thawed>> done = new CompletableFuture<>();
    /** Completes as soon as the guard reports every mount point it froze thawed (before it exits). */
    private final CompletableFuture<Void> thawedAll = new CompletableFuture<>();
    private final HeldOutput.Hold hold;
    private volatile String thawReason;
    private volatile String freezeFailure;
    private volatile boolean reportedDone;
    /** When the daemon's own timer thaws ({@link System#nanoTime}); moved by {@link #extend}. */
    private volatile long deadlineNs;

    private FreezeGuard(List<Path> mounts, FreezeRecord record, Process process, HeldOutput.Hold hold) {
        this.mounts = List.copyOf(mounts);
        this.record = record;
        this.process = process;
        this.toGuard = process.getOutputStream();
        this.hold = hold;
    }

    /**
     * Starts a guard that freezes {@code mounts} in order and thaws them at the latest
     * {@code deadlineMs} (plus {@value #BACKSTOP_MS} ms) from now. Returns at once: {@link #ready}
     * completes when every mount point is frozen, or fails when one could not be (what was frozen
     * is thawed again). Fails without freezing anything when the record cannot be written.
     */
    public static FreezeGuard start(List<Path> mounts, long deadlineMs, FreezeRecord record) throws IOException {
        if (mounts.isEmpty()) {
            throw new IllegalArgumentException("nothing to freeze");
        }
        record.write(mounts, deadlineMs);
        HeldOutput.Hold hold = HeldOutput.holdFor(mounts);
        List<String> command = new ArrayList<>(List.of("setsid", "bash", "-c", SCRIPT, "freeze-guard",
                Long.toString(deadlineMs + BACKSTOP_MS)));
        for (Path m : mounts) {
            command.add(m.toString());
        }
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            hold.release();
            record.delete();
            throw new IOException("cannot start the freeze guard (setsid, bash): " + e.getMessage(), e);
        }
        FreezeGuard guard = new FreezeGuard(mounts, record, process, hold);
        guard.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        Thread reader = new Thread(guard::readReport, "freeze-guard");
        reader.setDaemon(true);
        reader.start();
        guard.thawAtDeadline(deadlineMs);
        return guard;
    }

    /** The daemon's own thaw at the deadline, from a timer thread that touches no file system; it follows {@link #extend}. */
    private void thawAtDeadline(long inMs) {
        Executor timer = CompletableFuture.delayedExecutor(Math.max(1, inMs), TimeUnit.MILLISECONDS);
        timer.execute(() -> {
            if (done.isDone()) {
                return;
            }
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (leftMs > 0) {
                thawAtDeadline(leftMs);
                return;
            }
            LOG.warn("freeze: the deadline passed; thawing");
            thaw("the deadline passed");
        });
    }

    /**
     * Moves the deadline to {@code deadlineMs} from now (the guard's own {@value #BACKSTOP_MS} ms later):
     * a verified cutover that keeps the file systems frozen until the admin thaws them. The guard
     * still thaws when the daemon is gone. Any thread.
     *
     * @throws IOException when the guard cannot be told (it has ended: then it has thawed)
     */
    public void extend(long deadlineMs) throws IOException {
        deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        synchronized (toGuard) {
            toGuard.write(("extend " + (deadlineMs + BACKSTOP_MS) + "\n").getBytes(StandardCharsets.US_ASCII));
            toGuard.flush();
        }
        LOG.info("freeze: {} stay frozen for at most {} ms more", stillFrozen(), deadlineMs);
    }

    /** Completes when every mount point is frozen; fails with the reason when the freeze failed (then all is thawed). */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Completes when the guard has ended, with how each frozen mount point was thawed. */
    public CompletableFuture<List<Thawed>> done() {
        return done;
    }

    /**
     * Completes as soon as every mount point frozen is reported thawed, as the guard reports it (before
     * {@link #done}, which waits for the guard to exit); also when the guard ends having frozen nothing.
     */
    public CompletableFuture<Void> thawedAll() {
        return thawedAll;
    }

    /** Asks the guard to thaw now; returns at once, {@link #done} says when it has. Any thread, any number of times. */
    public void thaw(String why) {
        if (thawReason == null) {
            thawReason = why;
        }
        try {
            synchronized (toGuard) {
                toGuard.write('\n');
                toGuard.flush();
            }
        } catch (IOException e) {
            // The guard has gone already: it thawed on its way out, done() says how.
        }
    }

    /** Asks the guard to thaw and waits for it at most {@code timeoutMs}; returns the mount points not known thawed. */
    public List<Path> thawAndWait(String why, long timeoutMs) {
        thaw(why);
        try {
            done.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("freeze: the guard did not report within {} ms that it thawed {}", timeoutMs, mounts);
        }
        return stillFrozen();
    }

    /** The mount points frozen and not (yet) reported thawed. */
    public List<Path> stillFrozen() {
        List<Path> left = new ArrayList<>(frozen);
        for (Thawed t : thawed) {
            if (t.ok()) {
                left.remove(t.mount());
            }
        }
        return left;
    }

    public List<Path> mounts() {
        return mounts;
    }

    /** Whether any mount point was frozen at all (a freeze that failed on the first one froze nothing). */
    public boolean frozeAny() {
        return !frozen.isEmpty();
    }

    private void readReport() {
        try (InputStream in = process.getInputStream();
             BufferedReader report = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = report.readLine()) != null; ) {
                onLine(line);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.error("freeze: lost the guard's report: {}", e.getMessage());
        } finally {
            ended();
        }
    }

    private void onLine(String line) {
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        String rest = space < 0 ? "" : line.substring(space + 1);
        switch (word) {
            case "frozen" -> {
                frozen.add(Path.of(rest));
                LOG.info("freeze: froze {}", rest);
            }
            case "freeze-failed" -> freezeFailure = rest;
            case "ready" -> ready.complete(null);
            case "thaw" -> {
                if (!"asked".equals(rest)) {
                    thawReason = switch (rest) {
                        case "parent-gone" -> "the daemon is gone";
                        case "signal" -> "the guard was signalled";
                        case "deadline" -> "the deadline passed (the daemon did not thaw in time)";
                        default -> thawReason == null ? rest : thawReason;
                    };
                }
            }
            case "thawed" -> {
                thawed.add(new Thawed(Path.of(rest), true, "thawed"));
                if (stillFrozen().isEmpty() && frozen.size() == mounts.size()) {
                    thawedAll.complete(null);
                }
                LOG.info("freeze: thawed {} ({})", rest, thawReason);
            }
            case "thaw-failed" -> {
                int colon = rest.indexOf(": ");
                Path mount = Path.of(colon < 0 ? rest : rest.substring(0, colon));
                String why = colon < 0 ? "" : rest.substring(colon + 2);
                thawed.add(new Thawed(mount, false, why));
                LOG.error("freeze: could not thaw {}: {}; run 'fsfreeze --unfreeze {}'", mount, why, mount);
            }
            case "done" -> reportedDone = true;
            case "extended" -> LOG.debug("freeze: the guard's deadline is now {} ms away", rest);
            default -> {
                // pid: nothing to do
            }
        }
    }

    private void ended() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!reportedDone && !stillFrozen().isEmpty()) {
            LOG.error("freeze: the guard ended without thawing {} (killed?); thawing them from the daemon",
                    stillFrozen());
            thawDirectly();
        }
        hold.release();
        List<Path> left = stillFrozen();
        if (left.isEmpty()) {
            record.delete();
        } else {
            LOG.error("freeze: {} may still be frozen; the record {} stays so that the next start thaws them",
                    left, record.file());
        }
        if (!ready.isDone()) {
            ready.completeExceptionally(new IOException(freezeFailure != null ? freezeFailure
                    : "the freeze guard ended before every mount point was frozen"));
        }
        if (left.isEmpty()) {
            thawedAll.complete(null);
        }
        done.complete(List.copyOf(thawed));
    }

    /** What the guard would have done, from its reader thread (which runs fsfreeze and touches no file system). */
    private void thawDirectly() {
        List<Path> left = stillFrozen();
        for (int i = left.size() - 1; i >= 0; i--) {
            Path m = left.get(i);
            try {
                unfreeze(m, THAW_COMMAND_TIMEOUT_SECONDS);
                onLine("thawed " + m);
            } catch (IOException e) {
                onLine("thaw-failed " + m + ": " + e.getMessage());
            }
        }
    }

    /** {@code fsfreeze --unfreeze MOUNT} within {@code timeoutSeconds}; fails with its output (EINVAL: not frozen). */
    static void unfreeze(Path mount, long timeoutSeconds) throws IOException {
        Command.run(timeoutSeconds, "fsfreeze", "--unfreeze", mount.toString());
    }

    private static String loadScript() {
        try (InputStream in = FreezeGuard.class.getResourceAsStream("freeze-guard.sh")) {
            if (in == null) {
                throw new IllegalStateException("freeze-guard.sh is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
