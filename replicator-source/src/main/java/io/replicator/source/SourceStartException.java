package io.replicator.source;

/** The source daemon could not start: a volume is missing, the state directory is unusable, the target unreachable. */
public final class SourceStartException extends Exception {
    private static final long serialVersionUID = 1L;

    public SourceStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
