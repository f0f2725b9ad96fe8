package io.replicator.source.sync;

/**
 * What {@link PacingController} measures besides the CPU, each asked only when it needs it: the
 * lag, the changes waiting to be sent, and the block bytes sent so far (from which it measures the
 * rate full speed reaches). The agent's own ({@link #of}) reads the agent's state, so it is called on
 * the sync agent's thread only; tests hand in a simulated one.
 */
interface PacingInputs {
    /** How long the oldest change not yet durable on the target may have waited, in ms. */
    long lagMs();

    /**
     * Bytes of changed blocks still to be sent or acknowledged (dirty, in flight, waiting to be
     * resent): what full speed would have to send to bring the lag down; the rest of an initial copy
     * is not lag and not counted.
     */
    long backlogBytes();

    /** Block bytes (before compression) sent since the daemon started, over all volumes. */
    long sentPlainBytes();

    /** The agent's inputs; the sync agent's thread only. */
    static PacingInputs of(SyncAgent agent) {
        return new PacingInputs() {
            @Override
            public long lagMs() {
                return agent.lagMs();
            }

            @Override
            public long backlogBytes() {
                long sum = 0;
                for (VolumeState v : agent.volumes) {
                    long dirtyBlocks = v.dirty == null ? 0 : v.dirty.count();
                    sum += agent.session.inFlight().changedBytes(v.index) + agent.session.resend().changedBytes(v.index)
                            + (dirtyBlocks + v.pausedChangedBlocks) * v.blockSize();
                }
                return sum;
            }

            @Override
            public long sentPlainBytes() {
                long sum = 0;
                for (VolumeState v : agent.volumes) {
                    sum += v.sentPlainBytes;
                }
                return sum;
            }
        };
    }
}
