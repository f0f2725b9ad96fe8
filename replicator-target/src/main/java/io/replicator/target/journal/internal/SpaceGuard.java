package io.replicator.target.journal.internal;

import io.replicator.target.journal.JournalFullException;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses an append before it could fill the journal's file system. Chronicle Queue writes through
 * a memory map into sparse files: a page written when the file system is full fails with SIGBUS, not
 * an error the journal could report, so the journal keeps {@code reserveBytes} free and refuses new
 * entries before that. Asks the file system for its free space at least every {@link #MAX_BUDGET_BYTES}
 * appended, and before every append once it is close to the reserve. What it cannot see: another
 * program filling the same file system faster than that (give the journal its own file system).
 *
 * <p>Not thread-safe: owned by the appending thread.
 */
public final class SpaceGuard {
    /** Bytes appended between two looks at the free space while far from the reserve. */
    public static final long MAX_BUDGET_BYTES = 16L << 20;
    /** Counted for each entry on top of its bytes: Chronicle's header and its share of the index. */
    public static final int OVERHEAD_BYTES = 64;

    private final Path dir;
    private final FileStore store;
    private final long reserveBytes;
    private long budgetBytes;

    public SpaceGuard(Path dir, long reserveBytes) throws IOException {
        this.dir = dir;
        this.store = Files.getFileStore(dir);
        this.reserveBytes = reserveBytes;
    }

    /** Takes room for an entry of {@code entryBytes}, or refuses it naming the directory. */
    public void take(int entryBytes) throws IOException {
        long needed = (long) entryBytes + OVERHEAD_BYTES;
        if (budgetBytes < needed) {
            long usable = store.getUsableSpace();
            budgetBytes = Math.min(usable - reserveBytes, MAX_BUDGET_BYTES);
            if (budgetBytes < needed) {
                budgetBytes = 0;
                throw new JournalFullException(String.format("journal %s is full: its file system has %d bytes "
                        + "free and the journal keeps %d free (an entry needs %d): new data is refused until space "
                        + "returns (a shorter --retain, a smaller --journal-max-bytes, or a larger disk)", dir, usable,
                        reserveBytes, needed));
            }
        }
        budgetBytes -= needed;
    }

    /** Space was freed (a cycle was pruned): look again before the next append. */
    public void forget() {
        budgetBytes = 0;
    }
}
