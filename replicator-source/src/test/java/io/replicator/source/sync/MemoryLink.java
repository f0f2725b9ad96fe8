package io.replicator.source.sync;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameDecoder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A link to a receiver in memory: an {@link EmbeddedChannel} whose every written frame {@code answer}
 * takes, on the writer's thread; frames written as encoded bytes (a batch of block frames) are
 * decoded first, trailer checked, one by one.
 */
final class MemoryLink {
    private MemoryLink() {
    }

    /** Opens the channel, tells {@code inbox} it is connected, and hands each frame written to {@code answer} (then frees it). */
    static Channel open(Consumer<LinkEvent> inbox, BiConsumer<Channel, Object> answer) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                try {
                    if (msg instanceof ByteBuf bytes) {
                        answerEach(ch, bytes, answer);
                    } else {
                        answer.accept(ch, msg);
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
                promise.trySuccess();
            }
        });
        inbox.accept(new LinkEvent.Connected(ch));
        return ch;
    }

    private static void answerEach(Channel ch, ByteBuf bytes, BiConsumer<Channel, Object> answer) {
        while (bytes.isReadable()) {
            Frame frame = FrameDecoder.decodeFrame(bytes.readSlice(4 + bytes.getInt(bytes.readerIndex())));
            try {
                answer.accept(ch, frame);
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }
    }
}
