package io.replicator.source;

import java.util.Locale;

/**
 * How a sync or a cutover ended: {@code ok} or {@code failed}. The admin endpoint writes {@link
 * #toString()}, the lowercase value the command-line contract names ({@code "result": "ok"|"failed"}).
 */
public enum Outcome {
    OK,
    FAILED;

    /** The value in the admin endpoint's JSON: the name in lower case. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
