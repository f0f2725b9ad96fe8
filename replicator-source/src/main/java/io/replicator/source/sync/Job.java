package io.replicator.source.sync;

import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.HashResponse;
import java.io.IOException;

/**
 * Something that runs alongside replication, step by step on the sync agent's thread: a cutover,
 * a verification, the comparison with the target after an unclean stop. The {@link JobRunner}
 * calls it; it sees the agent only through its {@link JobPort}. Not thread-safe.
 */
interface Job {
    /** Whether it has something to send now ({@link #step}); asked only while the window has room. */
    default boolean wantsStep() {
        return false;
    }

    default void step() throws IOException {
    }

    /** Called on every turn of the agent: deadlines, phases. */
    default void tick(long nowNs) {
    }

    default void onHashes(HashResponse response) throws IOException {
    }

    default void onBarrierAck(BarrierAck ack) {
    }

    /** The connection to the target was lost. */
    void connectionLost();

    /** The admin's client went away: stop (a cutover thaws) and say {@code why}. */
    void withdraw(String why);

    boolean isDone();
}
