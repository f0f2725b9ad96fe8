package io.replicator.target.journal;

import io.replicator.protocol.wire.Encoding;
import java.nio.ByteBuffer;

/**
 * One entry read back from a {@link SourceJournal}: a block as the source sent it, or a marker.
 * {@code position} is where it lies in the journal (increasing, not dense: it jumps at each cycle),
 * {@code entryNumber} counts entries from 1 without gaps, {@code timeMs} is UTC milliseconds when it
 * was appended. Immutable.
 */
public sealed interface JournalEntry permits JournalEntry.Block, JournalEntry.Marker {
    long position();

    long entryNumber();

    long timeMs();

    /**
     * A block write as received: {@code payload} is encoded as {@code encoding} says (RAW, LZ4 or empty
     * for ZERO), decoding to {@code lengthBytes} plain bytes whose CRC32C is {@code plainCrc32c}. The
     * payload is the reader's copy.
     */
    record Block(long position, long entryNumber, long timeMs, int volume, Encoding encoding, long sequence,
                 long offset, int lengthBytes, int plainCrc32c, ByteBuffer payload) implements JournalEntry {
    }

    /** A barrier or checkpoint: everything of the source up to block {@code sequence} comes before it. */
    record Marker(long position, long entryNumber, long timeMs, MarkerKind kind, long id, long sequence,
                  String label) implements JournalEntry {
    }
}
