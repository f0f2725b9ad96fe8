package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
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
import io.replicator.protocol.wire.FrameCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FrameBatchTest {
    /** A 4 KiB frame, or of 16 KiB (sent as it is, not encoded into the batch) every 7th. */
    private static BlockFrame frame(long sequence) {
        byte[] bytes = new byte[length(sequence)];
        bytes[0] = (byte) sequence;
        return new BlockFrame(0, Encoding.RAW, sequence, sequence * 4096, bytes.length, 0,
                Unpooled.wrappedBuffer(bytes));
    }

    private static int length(long sequence) {
        return sequence % 7 == 0 ? 4 * 4096 : 4096;
    }

    @Test
    void shouldDeliverEveryFrameEncodedInOrderFromAnotherThreadAndCountThemUntilWritten() throws Exception {
        EventLoopGroup group = new DefaultEventLoopGroup(1);
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        LocalAddress address = new LocalAddress("frame-batch-test");
        try {
            Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                    .childHandler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            ch.pipeline().addLast(new FrameCodec(), new ChannelInboundHandlerAdapter() {
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
                batch.add(frame(s), length(s) + BlockFrame.HEADER_LENGTH, client.alloc());
                if (s % 100 == 0) {
                    batch.flush(client);
                }
            }
            List<Long> sequences = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                BlockFrame f = (BlockFrame) received.poll(10, TimeUnit.SECONDS);
                sequences.add(f.sequence());
                assertEquals(length(f.sequence()), f.payload().readableBytes(), "payload of frame " + f.sequence());
                assertEquals((byte) f.sequence(), f.payload().getByte(f.payload().readerIndex()),
                        "first byte of frame " + f.sequence());
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
    void shouldReleaseSmallFramesOnceEncodedAndEveryPartWhenTheLinkIsGone() {
        List<ByteBuf> buffers = new ArrayList<>();
        AbstractByteBufAllocator alloc = new AbstractByteBufAllocator() {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return Unpooled.buffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                ByteBuf b = Unpooled.directBuffer(initialCapacity, maxCapacity);
                buffers.add(b);
                return b;
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
        FrameBatch batch = new FrameBatch();
        List<BlockFrame> asTheyAre = new ArrayList<>();
        for (long s = 5; s <= 8; s++) {
            BlockFrame f = frame(s);
            batch.add(f, length(s), alloc);
            if (length(s) > FrameBatch.SMALL_PAYLOAD_BYTES) {
                assertEquals(1, f.refCnt(), "a large frame goes as it is");
                asTheyAre.add(f);
            } else {
                assertEquals(0, f.refCnt(), "an encoded frame still holds its buffer");
            }
        }
        assertEquals(1, asTheyAre.size());
        assertEquals(2, buffers.size(), "one buffer for the small frames each side of the large one: " + buffers);
        batch.flush(null);
        for (ByteBuf b : buffers) {
            assertEquals(0, b.refCnt(), "a batch dropped with the link still holds its buffer");
        }
        assertEquals(0, asTheyAre.get(0).refCnt(), "a frame dropped with the link still holds its buffer");
        assertTrue(batch.isEmpty());
    }
}
