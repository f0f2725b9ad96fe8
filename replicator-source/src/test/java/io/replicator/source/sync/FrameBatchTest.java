package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.Encoding;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FrameBatchTest {
    private static BlockFrame frame(long sequence) {
        byte[] bytes = new byte[4096];
        bytes[0] = (byte) sequence;
        return new BlockFrame(0, Encoding.RAW, sequence, sequence * 4096, 4096, 0, Unpooled.wrappedBuffer(bytes));
    }

    @Test
    void shouldDeliverEveryFrameInOrderFromAnotherThreadAndCountThemUntilWritten() throws Exception {
        EventLoopGroup group = new DefaultEventLoopGroup(1);
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        LocalAddress address = new LocalAddress("frame-batch-test");
        try {
            Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                    .childHandler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    received.add(msg);
                                }
                            });
                        }
                    }).bind(address).sync().channel();
            Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
            FrameBatch batch = new FrameBatch();
            for (long s = 1; s <= 300; s++) {
                batch.add(frame(s), 4096 + BlockFrame.HEADER_LENGTH);
                if (s % 100 == 0) {
                    batch.flush(client);
                }
            }
            List<Long> sequences = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                BlockFrame f = (BlockFrame) received.poll(10, TimeUnit.SECONDS);
                sequences.add(f.sequence());
                f.release();
            }
            for (int i = 0; i < 300; i++) {
                assertEquals(i + 1, sequences.get(i), "frames out of order: " + sequences);
            }
            // the loop ran every task: nothing is counted as waiting for it any more
            client.eventLoop().submit(() -> { }).sync();
            assertEquals(0, batch.queuedBytes());
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void shouldReleaseTheFramesWhenTheLinkIsGone() {
        FrameBatch batch = new FrameBatch();
        List<BlockFrame> frames = new ArrayList<>();
        for (long s = 1; s <= 3; s++) {
            BlockFrame f = frame(s);
            frames.add(f);
            batch.add(f, 4096);
        }
        batch.flush(null);
        for (BlockFrame f : frames) {
            assertEquals(0, f.refCnt(), "a frame dropped with the link still holds its buffer");
        }
        assertTrue(batch.isEmpty());
    }
}
