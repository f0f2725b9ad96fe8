/**
 * The frames of the replication protocol (v2), one class per frame, their envelope ({@link
 * io.replicator.protocol.wire.FrameEnvelope}) and the Netty codec that carries them. Every
 * class here that decodes distrusts its input: lengths are checked against named bounds before
 * anything is allocated, and a violation throws {@link io.replicator.protocol.wire.ProtocolException}
 * naming the value and the bound. Frame classes are immutable; the codec handlers are owned by one
 * channel's event loop. The byte layout is mirrored in {@code docs/protocol.md}.
 */
package io.replicator.protocol.wire;
