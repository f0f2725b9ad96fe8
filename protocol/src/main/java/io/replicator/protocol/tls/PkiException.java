package io.replicator.protocol.tls;

/**
 * A PKI file or certificate cannot be used: the message names the file or certificate and what is
 * wrong with it (missing, not PEM, not issued by the CA, expired with its dates, ...). Immutable.
 */
public final class PkiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PkiException(String message) {
        super(message);
    }

    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }
}
