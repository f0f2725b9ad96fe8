package io.replicator.source.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.BarrierAck;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.HelloAck;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.source.CutoverResult;
import io.replicator.source.SourceMetrics;
import io.replicator.source.SourceState;
import io.replicator.source.SourceStatus;
import io.replicator.source.SyncResult;
import io.replicator.source.VerifyResult;
import io.replicator.source.track.FingerprintStore;
import io.replicator.source.volume.SourceVolume;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent, its thread and its owners, against an in-memory target: an {@link EmbeddedChannel}
 * whose outbound handler answers each frame as a receiver would, on the agent's own thread. No
 * process, no socket.
 */
@Timeout(30)
class SyncAgentTest {
    private static final int BLOCK = 4096;
    private static final int BLOCKS = 256;

    private static final io.replicator.source.CutoverReportRequest REPORT =
            new io.replicator.source.CutoverReportRequest("wave-1", "wave-1", "{}", "# wave-1", false, 0);

    @TempDir
    Path dir;

    /** Acknowledges every frame at once; answers hashes from {@code image}, which holds what the source holds. */
    private static final class MemoryTarget implements TargetSession.Connector {
        private final Consumer<LinkEvent> inbox;
        private final byte[] image;
        private long lastSequence;
        /** The target takes barriers and never answers them. */
        volatile boolean swallowBarriers;

        MemoryTarget(Consumer<LinkEvent> inbox, byte[] image) {
            this.inbox = inbox;
            this.image = image;
        }

        @Override
        public Channel connect(InetSocketAddress target) {
            return MemoryLink.open(inbox, this::answer);
        }

        private void answer(Channel ch, Object msg) {
            if (msg instanceof Hello) {
                reply(ch, new HelloAck(ProtocolVersion.MAX_SUPPORTED, ProtocolVersion.MIN_SUPPORTED,
                        ProtocolVersion.MAX_SUPPORTED, ProtocolVersion.SUPPORTED_FEATURES, lastSequence));
            } else if (msg instanceof BlockFrame frame) {
                lastSequence = frame.sequence();
                reply(ch, new Ack(lastSequence));
            } else if (msg instanceof Barrier barrier && !swallowBarriers) {
                reply(ch, new BarrierAck(barrier.barrierId(), lastSequence));
            } else if (msg instanceof io.replicator.protocol.wire.CutoverReport report) {
                reply(ch, new io.replicator.protocol.wire.CutoverReportAck(report.requestId(), report.seal()));
            } else if (msg instanceof HashRequest q) {
                ChunkHashes hashes = new ChunkHashes();
                byte[][] out = new byte[q.count()][];
                for (int i = 0; i < q.count(); i++) {
                    out[i] = hashes.hashChunk(ByteBuffer.wrap(image, (int) q.offset() + i * BLOCK, BLOCK));
                }
                reply(ch, new HashResponse(q.requestId(), q.volume(), q.offset(), BLOCK, out));
            }
        }

        private void reply(Channel ch, io.replicator.protocol.wire.Frame frame) {
            inbox.accept(new LinkEvent.Received(ch, frame));
        }

        @Override
        public void close() {
        }
    }

    private SyncAgent agent(byte[] bytes, MemoryTarget[] target) throws Exception {
        Path image = dir.resolve("root.img");
        Files.write(image, bytes);
        SourceVolume volume = SourceVolume.open(image, "root");
        FingerprintStore fingerprints = FingerprintStore.open(dir.resolve("root.fp"), volume.sizeBytes(), BLOCK);
        AgentConfig config = new AgentConfig("web1", new InetSocketAddress("127.0.0.1", 9), 60_000, 8 << 20,
                1_000, 100, 1_000, 5_000, 30_000, null, null, null, null);
        return new SyncAgent(config,
                List.of(new VolumeSetup(volume, fingerprints, null, dir.resolve("root.state"), 0, 0)), BLOCK,
                new SourceMetrics(new SimpleMeterRegistry(), "test", List.of()), null, null, null,
                inbox -> target[0] = new MemoryTarget(inbox, bytes));
    }

    @Test
    void shouldSyncVerifyAndCutOverAgainstAnInMemoryTarget() throws Exception {
        byte[] bytes = new byte[BLOCKS * BLOCK];
        new Random(3).nextBytes(bytes);
        SyncAgent agent = agent(bytes, new MemoryTarget[1]);
        try {
            agent.start().get(10, TimeUnit.SECONDS);
            SyncResult synced = agent.requests().sync(20_000, "test").get(20, TimeUnit.SECONDS);
            assertTrue(synced.durableSequence() > 0, synced::toString);
            SourceStatus status = agent.requests().status("scan", "test").get(10, TimeUnit.SECONDS);
            assertEquals(SourceState.CONTINUOUS, status.state(), status::toString);
            assertEquals(bytes.length, status.volumes().get(0).syncedBytes(), "fingerprints committed on acks");
            assertEquals(0, status.volumes().get(0).backlogBytes(), status::toString);

            VerifyResult verified = agent.requests().verify(20_000, "test").get(20, TimeUnit.SECONDS);
            assertTrue(verified.equal(), verified::toString);

            CutoverResult cutOver = agent.requests().cutover(List.of(), 20_000, "test", r -> REPORT).get(20, TimeUnit.SECONDS);
            assertTrue(cutOver.verified(), cutOver::toString);
            SourceStatus after = agent.requests().status("scan", "test").get(10, TimeUnit.SECONDS);
            assertEquals(SourceState.CUT_OVER, after.state(), after::toString);
        } finally {
            agent.close();
        }
    }

    @Test
    void shouldRefuseACutoverWithoutFreezingWhenTheProbeBarrierNeverComesBack() throws Exception {
        byte[] bytes = new byte[BLOCKS * BLOCK];
        new Random(4).nextBytes(bytes);
        MemoryTarget[] target = new MemoryTarget[1];
        SyncAgent agent = agent(bytes, target);
        try {
            agent.start().get(10, TimeUnit.SECONDS);
            agent.requests().sync(20_000, "test").get(20, TimeUnit.SECONDS);
            target[0].swallowBarriers = true;
            CutoverResult refused = agent.requests().cutover(List.of(), 2_000, "test", r -> REPORT).get(20, TimeUnit.SECONDS);
            assertTrue(!refused.verified(), refused::toString);
            assertTrue(refused.reason().contains("did not answer a barrier within 500 ms"), refused.reason());
            SourceStatus after = agent.requests().status("scan", "test").get(10, TimeUnit.SECONDS);
            assertEquals(SourceState.CONTINUOUS, after.state(), "replication goes on: " + after);
            target[0].swallowBarriers = false;
            assertTrue(agent.requests().verify(20_000, "test").get(20, TimeUnit.SECONDS).equal());
        } finally {
            agent.close();
        }
    }
}
