package io.replicator.source.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command to its end within a bound, its standard error merged into its output, and
 * fails naming the command line when it does not finish, is interrupted or exits non-zero.
 * Stateless and thread-safe.
 */
public final class Command {
    private Command() {
    }

    /** Runs {@code command}; returns its output, trimmed. */
    public static String run(long timeoutSeconds, String... command) throws IOException {
        String line = "'" + String.join(" ", command) + "'";
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(line + " did not finish in " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + line, e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException(line + " failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }
}
