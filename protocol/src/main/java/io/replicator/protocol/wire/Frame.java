package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * One frame of protocol v1. Each implementation owns its body layout: it writes it in {@link
 * #encodeBody(ByteBuf)} and reads it in a static {@code decode(ByteBuf)} that checks every field.
 * The header around the body belongs to {@link FrameCodec}.
 */
public sealed interface Frame
        permits Hello, HelloAck, BlockFrame, Ack, Barrier, BarrierAck, HashRequest, HashResponse, ErrorFrame,
        Heartbeat {

    FrameType type();

    /** Writes the body (everything after the header) into {@code out}. */
    void encodeBody(ByteBuf out);
}
