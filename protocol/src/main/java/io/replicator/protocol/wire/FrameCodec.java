package io.replicator.protocol.wire;

import io.netty.channel.CombinedChannelDuplexHandler;

/**
 * {@link FrameDecoder} and {@link FrameEncoder} as one handler, one instance per channel. The
 * encoder writes the v1 envelope only to a peer whose first frame came in it (to refuse it).
 */
public final class FrameCodec extends CombinedChannelDuplexHandler<FrameDecoder, FrameEncoder> {
    public FrameCodec() {
        FrameDecoder decoder = new FrameDecoder();
        init(decoder, new FrameEncoder(decoder::peerSpeaksV1));
    }
}
