package io.replicator.protocol.text;

/** The root of a cause chain, and what it says in one line. Stateless and thread-safe. */
public final class Causes {
    private Causes() {
    }

    /** The last cause of {@code failure}'s chain: {@code failure} itself when it has none. */
    public static Throwable root(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** The root cause's message, or its class's simple name when it has none. */
    public static String describe(Throwable failure) {
        Throwable root = root(failure);
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }
}
