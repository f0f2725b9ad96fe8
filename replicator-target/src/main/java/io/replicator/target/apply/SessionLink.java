package io.replicator.target.apply;

import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.Frame;

/**
 * How a session's apply thread talks back to its connection. Implemented by the session's network
 * handler; every method may be called from the apply thread and is thread-safe.
 */
public interface SessionLink {
    /**
     * The volumes are open and {@code durableSequence} was read from the progress file: the
     * handshake can be answered. {@code volumes} describes them for the log.
     */
    void opened(long durableSequence, String volumes);

    /**
     * Sends {@code frame} in order after everything sent before; false when the connection is gone.
     * Waits first while the peer is not taking what was sent (the connection's write buffer is above
     * its high-water mark), so that a source that does not read stops its apply thread instead of
     * making the receiver buffer for it. Never called on an event loop.
     */
    boolean send(Frame frame);

    /** Whether the connection is still there: work whose only purpose is an answer is skipped once it is gone. */
    boolean connected();

    /** Sends an error frame naming {@code code} and {@code message}, logs it and closes the connection. */
    void fail(ErrorCode code, String message);
}
