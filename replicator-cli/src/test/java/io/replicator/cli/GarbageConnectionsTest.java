package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replicator.protocol.tls.CertificateAuthority;
import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.wire.FrameEncoder;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.Outcome;
import io.replicator.source.SourceDaemon;
import io.replicator.target.TargetConfig;
import io.replicator.target.TargetServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live TLS receiver under 1,000 garbage connections from the same address as a legitimate source
 * (random bytes, half TLS handshakes left silent, plaintext HELLOs, immediate closes) while that
 * source replicates a volume: the replication finishes equal and nothing else appears under the
 * data directory. Seeded; the seed is in the failure messages.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GarbageConnectionsTest {
    private static final long SEED = Long.getLong("garbage.seed", System.nanoTime());
    private static final int CONNECTIONS = 1_000;
    private static final int WORKERS = 8;
    private static final long VOLUME_BYTES = 24L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldReplicateEqualWhileAThousandGarbageConnectionsArrive() throws Exception {
        CertificateAuthority ca = CertificateAuthority.init(dir.resolve("ca"), 30);
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, VOLUME_BYTES, 7);
        Queue<Socket> silent = new ConcurrentLinkedQueue<>();
        AtomicInteger sent = new AtomicInteger();
        try (Replication r = new Replication(dir)) {
            r.target = TargetServer.start(TargetConfig.builder().listen(r.targetAddress).dataDir(dir.resolve("target"))
                    .pki(bundle(ca, Role.TARGET, "127.0.0.1")).tlsHandshakeTimeoutMs(2_000).helloTimeoutMs(2_000)
                    .build(), r.registry);
            r.targetAddress = r.target.localAddress();
            r.source = SourceDaemon.start(r.sourceConfig(volume, "disk0").pki(bundle(ca, Role.SOURCE, "src")).build(),
                    r.registry);
            byte[] clientHello = clientHello(r.targetAddress);
            ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
            try {
                List<Future<?>> done = new java.util.ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    Random random = new Random(SEED + w);
                    InetSocketAddress target = r.targetAddress;
                    done.add(workers.submit(() -> {
                        while (sent.getAndIncrement() < CONNECTIONS) {
                            garbage(target, random, clientHello, silent);
                        }
                        return null;
                    }));
                }
                assertEquals(Outcome.OK, r.source.sync().get(90, TimeUnit.SECONDS).result(), "seed=" + SEED);
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                workers.shutdownNow();
                for (Socket s : silent) {
                    s.close();
                }
            }
            Replication.assertSameBytes(volume, r.targetImage("disk0"));
            try (Stream<Path> files = Files.list(dir.resolve("target"))) {
                assertEquals(List.of(dir.resolve("target").resolve("src")), files.toList(), "seed=" + SEED);
            }
            assertTrue(r.source.status().connected(), "the legitimate source is still connected, seed=" + SEED);
        }
    }

    private PkiBundle bundle(CertificateAuthority ca, Role role, String name) {
        Path out = dir.resolve("bundle-" + role.label() + "-" + name);
        ca.issue(role, name, List.of(), 30, out);
        return PkiBundle.load(out);
    }

    /** One garbage connection of a random kind; a half handshake is left open and silent in {@code silent}. */
    private static void garbage(InetSocketAddress target, Random random, byte[] clientHello, Queue<Socket> silent)
            throws IOException {
        Socket socket = new Socket(target.getAddress(), target.getPort());
        socket.setSoTimeout(20_000);
        try {
            switch (random.nextInt(4)) {
                case 0 -> {
                    byte[] bytes = new byte[1 + random.nextInt(4096)];
                    random.nextBytes(bytes);
                    writeThenDrain(socket, bytes);
                }
                case 1 -> {
                    socket.getOutputStream().write(clientHello, 0, 1 + random.nextInt(clientHello.length - 1));
                    silent.add(socket);
                    return;
                }
                case 2 -> writeThenDrain(socket, plaintextHello());
                default -> {
                    // connect and close at once
                }
            }
        } catch (IOException e) {
            // the receiver closed or reset the connection: what garbage deserves
        }
        socket.close();
    }

    private static void writeThenDrain(Socket socket, byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4096];
        while (in.read(sink) >= 0) {
            // whatever the receiver answers (a TLS alert at most) until it closes
        }
    }

    private static byte[] plaintextHello() {
        ByteBuf buf = Unpooled.buffer();
        try {
            FrameEncoder.encode(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                    ProtocolVersion.SUPPORTED_FEATURES, "src", List.of(new VolumeInfo("evil", 1 << 20, 4096))), buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /** The bytes of a real TLS ClientHello to the target, to send part of. */
    private static byte[] clientHello(InetSocketAddress target) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine(target.getHostString(), target.getPort());
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }
}
