package io.replicator.source.checkpoint;

import io.replicator.source.sys.Command;
import java.io.IOException;

/**
 * A command the admin runs around a checkpoint's freeze ({@code --pre-freeze CMD}, {@code --post-thaw
 * CMD}), e.g. a database's own checkpoint: run by {@code sh -c} within {@link #TIMEOUT_SECONDS}, its
 * output kept for the message when it fails. Immutable and thread-safe.
 */
public record Hook(String name, String command) {
    /** The longest a hook may run. */
    public static final long TIMEOUT_SECONDS = 120;

    /** Runs the hook; returns null when it succeeded, else why it failed (naming the hook and the command). */
    public String run() {
        try {
            Command.run(TIMEOUT_SECONDS, "sh", "-c", command);
            return null;
        } catch (IOException e) {
            return "the " + name + " hook failed: " + e.getMessage();
        }
    }
}
