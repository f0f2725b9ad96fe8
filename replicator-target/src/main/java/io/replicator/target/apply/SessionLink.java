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

    /** Sends {@code frame} in order after everything sent before; false when the connection is gone. */
    boolean send(Frame frame);

    /** Sends an error frame naming {@code code} and {@code message}, logs it and closes the connection. */
    void fail(ErrorCode code, String message);
}
