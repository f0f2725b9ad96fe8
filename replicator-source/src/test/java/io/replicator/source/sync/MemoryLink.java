package io.replicator.source.sync;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** A link to a receiver in memory: an {@link EmbeddedChannel} whose every written frame {@code answer} takes, on the writer's thread. */
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
                    answer.accept(ch, msg);
                } finally {
                    ReferenceCountUtil.release(msg);
                }
                promise.trySuccess();
            }
        });
        inbox.accept(new LinkEvent.Connected(ch));
        return ch;
    }
}
