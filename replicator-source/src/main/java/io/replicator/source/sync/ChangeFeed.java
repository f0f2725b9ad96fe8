package io.replicator.source.sync;

import java.util.concurrent.CompletableFuture;

/**
 * Where the dirty maps of a tracked source come from (the kernel's block events). The feed marks
 * blocks dirty on a thread of its own; the sync agent clears a block's bit before it reads the
 * block, so a write that completes after the read marks it again. Implementations are thread-safe.
 */
public interface ChangeFeed {
    /**
     * Completes once every write that completed before the call is marked in the dirty maps: what
     * the cutover waits for after freezing, and what {@code sync} waits for.
     */
    CompletableFuture<Void> catchUp();
}
