package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.tls.PkiBundle;
import io.replicator.protocol.tls.Role;
import io.replicator.protocol.tls.TestPki;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.FrameEnvelope;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.target.internal.FileChannelOpener;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage over an authenticated TLS connection: random bytes, frame lengths at every boundary,
 * garbled and truncated frames. Each connection ends with an error frame and a close; the receiver
 * keeps serving and writes nothing for them. Seeded: the seed is in every failure message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TargetTlsFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final long[] BOUNDARY_LENGTHS = {0, 1, FrameEnvelope.MIN_LENGTH - 1, FrameEnvelope.MAX_LENGTH + 1L,
            Integer.MAX_VALUE, 0xFFFF_FFFFL};
    private static final int RANDOM_CONNECTIONS = 60;

    @TempDir
    Path root;

    @Test
    void shouldCloseEveryGarbledConnectionWithAnErrorAndKeepServing() throws IOException {
        TestPki pki = new TestPki(root.resolve("pki"));
        PkiBundle targetBundle = pki.bundle(Role.TARGET, "127.0.0.1");
        javax.net.SocketFactory sockets = TestPki.sockets(pki.bundle(Role.SOURCE, "a"));
        javax.net.SocketFactory legitimate = TestPki.sockets(pki.bundle(Role.SOURCE, "w"));
        Path dataDir = root.resolve("data");
        Random random = new Random(SEED);
        byte[] hello = TestSource.encode(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                ProtocolVersion.SUPPORTED_FEATURES, "a", List.of(DISK0)));
        try (TargetFixture target = new TargetFixture(dataDir, b -> b.insecurePlaintext(false).pki(targetBundle).helloTimeoutMs(1_000),
                FileChannelOpener.DEFAULT)) {
            replicate(target, legitimate, 1); // warms TLS up, so that handshakes beat the HELLO deadline
            int n = 0;
            for (long length : BOUNDARY_LENGTHS) {
                byte[] header = ByteBuffer.allocate(6).putInt((int) length).put((byte) 1).put((byte) 0).array();
                assertClosedWithError(target, sockets, header, "boundary length " + length);
                n++;
            }
            for (int cut = 1; cut < hello.length; cut += 1 + random.nextInt(7)) {
                assertClosedWithError(target, sockets, Arrays.copyOf(hello, cut), "HELLO cut at " + cut);
                n++;
            }
            for (int i = 0; i < RANDOM_CONNECTIONS; i++) {
                byte[] bytes = garble(hello, random);
                assertClosedWithError(target, sockets, bytes, "garbled connection " + i);
                n++;
            }
            try (Stream<Path> files = Files.list(dataDir)) {
                assertEquals(List.of(dataDir.resolve("w")), files.toList(),
                        "nothing written for " + n + " garbled connections, seed=" + SEED);
            }
            replicate(target, legitimate, 2);
        }
    }

    private static void replicate(TargetFixture target, javax.net.SocketFactory sockets, long sequence)
            throws IOException {
        try (TestSource source = TestSource.connect(target.server.localAddress(), sockets)) {
            source.hello("w", DISK0);
            source.send(target.block(0, sequence, 0, TargetFixture.random(sequence, BLOCK)));
            assertEquals(sequence, source.awaitAck(sequence).durableSequence(), "the receiver serves, seed=" + SEED);
        }
    }

    /**
     * A HELLO with bytes of its header or magic flipped (a flip further in can leave a valid HELLO),
     * a frame of another type with a random body, or plain random bytes.
     */
    private static byte[] garble(byte[] hello, Random random) {
        switch (random.nextInt(3)) {
            case 0 -> {
                byte[] bytes = hello.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    bytes[random.nextInt(FrameEnvelope.HEADER_LENGTH + 4)] ^= (byte) (1 + random.nextInt(255));
                }
                return bytes;
            }
            case 1 -> {
                byte[] body = new byte[random.nextInt(64)];
                random.nextBytes(body);
                return ByteBuffer.allocate(6 + body.length).putInt(2 + body.length)
                        .put((byte) (2 + random.nextInt(254))).put((byte) random.nextInt(2)).put(body).array();
            }
            default -> {
                byte[] bytes = new byte[1 + random.nextInt(256)];
                random.nextBytes(bytes);
                return bytes;
            }
        }
    }

    private static void assertClosedWithError(TargetFixture target, javax.net.SocketFactory sockets, byte[] bytes,
            String what) throws IOException {
        String context = what + ", seed=" + SEED;
        boolean error = false;
        try (TestSource source = TestSource.connect(target.server.localAddress(), sockets)) {
            source.sendBytes(bytes);
            while (true) {
                Frame frame = source.read();
                error |= frame instanceof ErrorFrame;
                assertTrue(frame instanceof ErrorFrame, "unexpected " + frame + ": " + context);
            }
        } catch (EOFException | SocketException closed) {
            // the target closed the connection
        } catch (io.replicator.protocol.wire.ProtocolException e) {
            throw new AssertionError("the target sent a frame that does not decode: " + context, e);
        }
        assertTrue(error, "closed without an error frame: " + context);
    }
}
