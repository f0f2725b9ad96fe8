package io.replicator.target;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.replicator.protocol.block.BlockEncoder;
import io.replicator.protocol.wire.BlockFrame;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.UnaryOperator;

/** A receiver on 127.0.0.1:0 over a temporary data directory, and block-making helpers. */
final class TargetFixture implements AutoCloseable {
    static final int BLOCK = 4096;
    /** Not a multiple of the block size: the last block and the last hash chunk are short. */
    static final long SIZE = 64 * BLOCK + 1000;
    static final VolumeInfo DISK0 = new VolumeInfo("disk0", SIZE, BLOCK);

    final Path dataDir;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final UnaryOperator<TargetConfig.Builder> customize;
    private final FileChannelOpener opener;
    private final BlockEncoder encoder = new BlockEncoder();
    TargetServer server;

    TargetFixture(Path dataDir) throws IOException {
        this(dataDir, b -> b, FileChannelOpener.DEFAULT);
    }

    TargetFixture(Path dataDir, UnaryOperator<TargetConfig.Builder> customize, FileChannelOpener opener)
            throws IOException {
        this.dataDir = dataDir;
        this.customize = customize;
        this.opener = opener;
        start();
    }

    void start() throws IOException {
        TargetConfig config = customize.apply(TargetConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)).dataDir(dataDir).insecurePlaintext(true)).build();
        server = TargetServer.start(config, meters, opener);
    }

    void restart() throws IOException {
        server.close();
        start();
    }

    TestSource connect() throws IOException {
        return TestSource.connect(server.localAddress());
    }

    Path image(String sourceId, String volume) {
        return dataDir.resolve(sourceId).resolve(volume + ".img");
    }

    BlockFrame block(int volume, long sequence, long offset, byte[] plain) {
        return encoder.encode(volume, sequence, offset, ByteBuffer.wrap(plain), UnpooledByteBufAllocator.DEFAULT);
    }

    static byte[] random(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] text(int length) {
        byte[] bytes = new byte[length];
        byte[] line = "the quick brown fox jumps over the lazy dog\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++) {
            bytes[i] = line[i % line.length];
        }
        return bytes;
    }

    @Override
    public void close() {
        server.close();
    }
}
