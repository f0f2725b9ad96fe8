package io.replicator.source.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Blocks that were in flight when the connection to the target was lost: the target may or may not
 * hold them, so they are read and sent again, before anything else, in the order their changes were
 * first read. Each keeps the time it was first read through any number of lost connections, since
 * the change it carries has waited since then ({@code lag_ms} counts from it), and the bytes of the
 * changed ones count in their volume's backlog until they are taken out to be sent again. Not
 * thread-safe: owned by the sync agent's thread.
 */
final class ResendQueue {
    private final LinkedHashMap<Long, InFlight.Entry> entries = new LinkedHashMap<>();
    private final long[] changedBytes;

    ResendQueue(int volumes) {
        this.changedBytes = new long[volumes];
    }

    /**
     * Queues the blocks of {@code lost}. A block already waiting keeps the earlier of its two read
     * times; the queue is then in order of read time again (a block resent and lost again may have
     * been read before the ones still waiting from the connection before).
     */
    void addLost(List<InFlight.Entry> lost) {
        if (lost.isEmpty()) {
            return;
        }
        for (InFlight.Entry e : lost) {
            long key = InFlight.key(e.volume(), e.block());
            InFlight.Entry waiting = entries.get(key);
            if (waiting == null || e.readNs() - waiting.readNs() < 0) {
                if (waiting != null) {
                    count(waiting, -1);
                }
                entries.put(key, e);
                count(e, 1);
            }
        }
        List<InFlight.Entry> ordered = new ArrayList<>(entries.values());
        ordered.sort((a, b) -> Long.compare(a.readNs() - b.readNs(), 0));
        entries.clear();
        for (InFlight.Entry e : ordered) {
            entries.put(InFlight.key(e.volume(), e.block()), e);
        }
    }

    /** Takes out the block whose change was read first, or returns null when none waits. */
    InFlight.Entry poll() {
        Iterator<InFlight.Entry> it = entries.values().iterator();
        if (!it.hasNext()) {
            return null;
        }
        InFlight.Entry e = it.next();
        it.remove();
        count(e, -1);
        return e;
    }

    /** The block whose change was read first, left in place, or null. */
    InFlight.Entry oldest() {
        Iterator<InFlight.Entry> it = entries.values().iterator();
        return it.hasNext() ? it.next() : null;
    }

    boolean contains(int volume, long block) {
        return entries.containsKey(InFlight.key(volume, block));
    }

    /** The waiting blocks, in order; a view. */
    Collection<InFlight.Entry> entries() {
        return Collections.unmodifiableCollection(entries.values());
    }

    /** Bytes of the waiting blocks of {@code volume} that the target held an older version of. */
    long changedBytes(int volume) {
        return changedBytes[volume];
    }

    int size() {
        return entries.size();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    void clear() {
        entries.clear();
        Arrays.fill(changedBytes, 0);
    }

    private void count(InFlight.Entry e, int sign) {
        if (e.changed()) {
            changedBytes[e.volume()] += sign * (long) e.lengthBytes();
        }
    }
}
