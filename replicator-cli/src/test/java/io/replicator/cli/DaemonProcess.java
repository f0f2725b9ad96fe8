package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.replicator.target.journal.JournalJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A daemon of {@code ./replicator} as a real child JVM (java -cp TEST_CLASSPATH Main ARGS) that a
 * test can start, kill with SIGKILL and start again with the same arguments. Everything the
 * daemon prints is appended to one log file, with a line marking each start and each kill. Not
 * thread-safe: owned by the test thread.
 */
final class DaemonProcess implements AutoCloseable {
    /** The exit code of a process ended by SIGKILL: 128 + 9. */
    static final int SIGKILL_EXIT = 137;
    private static final long LOG_POLL_MS = 25;

    private final String name;
    private final Path log;
    private final List<String> args;
    private final List<String> jvmOptions;
    private Process process;
    private long logStart;
    private int starts;

    DaemonProcess(String name, Path log, List<String> args) {
        this(name, log, List.of("-Xmx512m"), args);
    }

    /** A daemon whose JVM runs with {@code jvmOptions} (heap and direct memory limits, say) instead of -Xmx512m. */
    DaemonProcess(String name, Path log, List<String> jvmOptions, List<String> args) {
        this.jvmOptions = List.copyOf(jvmOptions);
        this.name = name;
        this.log = log;
        this.args = List.copyOf(args);
    }

    /** Starts the daemon and waits until its log holds {@code readyText}. */
    DaemonProcess start(String readyText, long timeoutMs) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running as pid " + process.pid());
        }
        starts++;
        note("start #" + starts + ": " + String.join(" ", args));
        logStart = Files.size(log);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(JournalJvm.flags()); // as the launcher starts a daemon
        cmd.addAll(List.of("-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitLog(readyText, timeoutMs);
        return this;
    }

    /**
     * Ends the daemon with SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown hook
     * runs, nothing is flushed. Asserts that the exit code says SIGKILL.
     */
    void kill9() throws IOException, InterruptedException {
        long pid = process.pid();
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " (pid " + pid + ") still runs 30 s after SIGKILL");
        }
        assertEquals(SIGKILL_EXIT, process.exitValue(), name + " (pid " + pid + ") ended by SIGKILL");
        note("killed pid " + pid + " with SIGKILL, exit " + process.exitValue());
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** What the daemon printed since its last start. */
    String logSinceStart() throws IOException {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(logStart, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }

    /** Waits until the log since the last start holds {@code text}; fails at once if the daemon exits. */
    void awaitLog(String text, long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!logSinceStart().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited " + process.exitValue() + " before logging '" + text + "':\n"
                        + logSinceStart());
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError(name + " did not log '" + text + "' within " + timeoutMs + " ms:\n"
                        + logSinceStart());
            }
            Thread.sleep(LOG_POLL_MS);
        }
    }

    private void note(String line) throws IOException {
        Files.writeString(log, "==== " + name + ": " + line + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Kills a daemon still running (after a failed test too) and waits for it to be gone. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
