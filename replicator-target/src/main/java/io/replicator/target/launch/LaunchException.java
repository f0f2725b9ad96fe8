package io.replicator.target.launch;

/**
 * A launch refused or failed, with the admin endpoint's status for it: 400 a bad request (an output
 * directory missing or not writable, a device too small or one the receiver writes), 404 an unknown
 * source or checkpoint, 409 a checkpoint that cannot be launched (pruned, not launchable) or an
 * output that exists. The message names what was wrong and is meant for a person.
 */
public final class LaunchException extends Exception {
    private final int status;

    public LaunchException(int status, String message) {
        super(message);
        this.status = status;
    }

    public LaunchException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
