package io.replicator.source.sync;

import java.io.IOException;

/**
 * Where the blocks to send come from: a {@link PassSource} (the initial copy, the scan tracker's
 * passes, the rescan after lost events) or a {@link WalkSource} (the kernel tracker's dirty maps,
 * after a catch-up of its feed). Each step reads up to one read unit and hands the blocks that
 * differ from what the target holds to the {@link SendPipeline}. {@link ChangeSources} owns both
 * and what they have covered. Not thread-safe: owned by the sync agent's thread.
 */
interface ChangeSource {
    /** Whether it has a step to take now. */
    boolean ready();

    /** Reads the next unit and sends what changed; called only while the window has room. */
    void step() throws IOException;
}
