package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * One frame of the protocol. Each implementation owns its body layout: it writes it in {@link
 * #encodeBody(ByteBuf)} and reads it in a static {@code decode(ByteBuf)} that checks every field.
 * The envelope around the body (header and trailer) belongs to {@link FrameEnvelope}.
 */
public sealed interface Frame
        permits Hello, HelloAck, BlockFrame, Ack, Barrier, BarrierAck, HashRequest, HashResponse, ErrorFrame,
        Heartbeat, CutoverReport, CutoverReportAck, Checkpoint, CheckpointAck {

    FrameType type();

    /** Writes the body (everything between the header and the trailer) into {@code out}. */
    void encodeBody(ByteBuf out);
}
