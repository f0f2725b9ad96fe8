package io.replicator.protocol.wire;

import io.netty.channel.CombinedChannelDuplexHandler;

/** {@link FrameDecoder} and {@link FrameEncoder} as one handler, one instance per channel. */
public final class FrameCodec extends CombinedChannelDuplexHandler<FrameDecoder, FrameEncoder> {
    public FrameCodec() {
        super(new FrameDecoder(), FrameEncoder.INSTANCE);
    }
}
