package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * Either side: "I am still here". Sent after the handshake by a side that has written nothing for
 * its heartbeat interval, so that a healthy idle connection always carries traffic and a peer that
 * has received nothing for its idle timeout can tell a dead or half-open connection from a quiet
 * one. Never answered; a receiver only notes that the connection is alive.
 *
 * <pre>
 *  (empty body)
 * </pre>
 * Body length 0. Since v1.
 */
public record Heartbeat() implements Frame {
    public static final Heartbeat INSTANCE = new Heartbeat();
    public static final int BODY_LENGTH = 0;

    @Override
    public FrameType type() {
        return FrameType.HEARTBEAT;
    }

    @Override
    public void encodeBody(ByteBuf out) {
        // no body
    }

    public static Heartbeat decode(ByteBuf in) {
        WireStrings.end(in, FrameType.HEARTBEAT);
        return INSTANCE;
    }
}
