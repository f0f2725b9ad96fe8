package io.replicator.source.sync;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Blocks sent and not yet acknowledged durable, in sequence order (the blocks of one frame share
 * its sequence), with the fingerprint of the bytes each carried (committed to the fingerprint
 * store when acknowledged). Bounded by the caller through {@link #bytes()}, the frame bytes on
 * the wire, and {@link #size()}, the blocks. Not thread-safe: owned by the sync agent's thread.
 */
final class InFlight {
    /**
     * @param lengthBytes the block's plain length
     * @param wireBytes   what its frame put on the wire, on the frame's first block (0 on the others)
     * @param readNs      when the change it carries was first read ({@link System#nanoTime}): for a
     *                    block sent again after a lost connection, its first send's
     */
    record Entry(long sequence, int volume, long block, long fingerprint, int lengthBytes, int wireBytes,
                 boolean changed, long readNs) {
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final Map<Long, Entry> latestByBlock = new HashMap<>();
    private long bytes;
    /** Per volume: plain bytes of the blocks in flight that carry a change (not a first copy). */
    private final long[] changedBytes;

    InFlight(int volumes) {
        this.changedBytes = new long[volumes];
    }

    static long key(int volume, long block) {
        return ((long) volume << 48) | block;
    }

    void add(Entry e) {
        entries.addLast(e);
        latestByBlock.put(key(e.volume(), e.block()), e);
        bytes += e.wireBytes();
        if (e.changed()) {
            changedBytes[e.volume()] += e.lengthBytes();
        }
    }

    /** The newest in-flight entry for a block, or null. */
    Entry latest(int volume, long block) {
        return latestByBlock.get(key(volume, block));
    }

    /** Removes and returns the oldest entry if its sequence is at most {@code sequence}. */
    Entry pollAcked(long sequence) {
        Entry head = entries.peekFirst();
        if (head == null || head.sequence() > sequence) {
            return null;
        }
        entries.pollFirst();
        bytes -= head.wireBytes();
        if (head.changed()) {
            changedBytes[head.volume()] -= head.lengthBytes();
        }
        latestByBlock.remove(key(head.volume(), head.block()), head);
        return head;
    }

    /** Removes and returns the oldest entry whatever its sequence (the connection was lost). */
    Entry pollAny() {
        return pollAcked(Long.MAX_VALUE);
    }

    Entry oldest() {
        return entries.peekFirst();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Plain bytes of the blocks of {@code volume} in flight that carry a change. */
    long changedBytes(int volume) {
        return changedBytes[volume];
    }

    long bytes() {
        return bytes;
    }

    int size() {
        return entries.size();
    }
}
