package io.replicator.target.journal;

import java.io.IOException;

/**
 * An append refused because the journal's file system has too little room left: nothing of the
 * refused entry was written, and what was durable before stays durable. Retriable once space returns.
 */
public final class JournalFullException extends IOException {
    private static final long serialVersionUID = 1L;

    public JournalFullException(String message) {
        super(message);
    }
}
