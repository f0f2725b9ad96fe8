package io.replicator.target.journal;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pins on the sources' undo history: while a pin is held (a launch reads the undo queue), pruning
 * never deletes a cycle holding its position or a later one. A pin goes when it is closed (or with
 * the process). Thread-safe.
 */
public final class HistoryPins {
    /** Per source: pinned position to how many pins hold it. */
    private final Map<String, TreeMap<Long, Integer>> pins = new HashMap<>();

    /** Pins {@code sourceId}'s undo history from {@code fromUndoPosition} on; closing the result lets it go. */
    public AutoCloseable pin(String sourceId, long fromUndoPosition) {
        synchronized (pins) {
            pins.computeIfAbsent(sourceId, id -> new TreeMap<>()).merge(fromUndoPosition, 1, Integer::sum);
        }
        return new AutoCloseable() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (pins) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    TreeMap<Long, Integer> held = pins.get(sourceId);
                    if (held.merge(fromUndoPosition, -1, Integer::sum) == 0) {
                        held.remove(fromUndoPosition);
                    }
                    if (held.isEmpty()) {
                        pins.remove(sourceId);
                    }
                }
            }
        };
    }

    /** The lowest position pinned for {@code sourceId}, or {@link Long#MAX_VALUE} when none is. */
    public long oldestPinned(String sourceId) {
        synchronized (pins) {
            TreeMap<Long, Integer> held = pins.get(sourceId);
            return held == null ? Long.MAX_VALUE : held.firstKey();
        }
    }
}
