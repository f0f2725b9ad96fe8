package io.replicator.source.report;

import java.util.Locale;

/**
 * How one server's part of a cutover ended: {@code ok} (every volume verified and the receiver
 * sealed them), {@code failed} (this server's own failure: an error, a timeout, a daemon gone),
 * {@code aborted} (withdrawn and thawed because another server of the wave failed) or {@code
 * unknown} (its last answer was lost; its own log says what it did). {@link #toString()} is the
 * JSON value.
 */
public enum ServerResult {
    OK,
    FAILED,
    ABORTED,
    UNKNOWN;

    /** The JSON value: the name in lower case. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The value whose JSON form is {@code text}.
     *
     * @throws IllegalArgumentException naming the value and the ones allowed
     */
    public static ServerResult parse(String text) {
        return EnumText.parse(values(), text, "server result");
    }
}
