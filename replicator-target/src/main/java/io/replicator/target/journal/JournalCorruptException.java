package io.replicator.target.journal;

import java.io.IOException;

/** An entry that fails its checks (magic, version, lengths, CRC32C): its message names the file and position. */
public final class JournalCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    public JournalCorruptException(String message) {
        super(message);
    }
}
