package io.replicator.cli;

import static io.replicator.cli.Replication.assertSameBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.FrameType;
import io.replicator.source.Outcome;
import io.replicator.source.SyncResult;
import io.replicator.source.VerifyOutcome;
import io.replicator.source.VerifyResult;
import io.replicator.target.TargetMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One bit of one frame's header flipped between a source and a target on loopback (plain TCP, where
 * nothing else would notice), once: the receiver of the frame refuses it with {@code BAD_CHECKSUM},
 * nothing of it reaches the volume, the source reconnects and sends again what was in flight, and
 * the images end byte for byte equal. Seeded (property {@code corrupt.seed}); the field, the bit and
 * the seed are printed and in every failure message.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HeaderCorruptionEndToEndTest {
    private static final long SEED = Long.getLong("corrupt.seed", System.nanoTime());
    private static final long VOLUME_BYTES = 8L << 20;
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    /** A field of a frame's body: where it starts in the body and how many bytes it has. */
    private record Field(String name, int bodyOffset, int bytes) {
    }

    private static final List<Field> BLOCK_HEADER = List.of(new Field("volume", 0, 2), new Field("encoding", 2, 1),
            new Field("sequence", 4, 8), new Field("offset", 12, 8), new Field("length", 20, 4),
            new Field("crc32c", 24, 4), new Field("payloadLength", 28, 4));

    enum Target {
        /** A bit of the block's offset that moves it elsewhere inside the volume, on a block boundary. */
        BLOCK_OFFSET,
        /** A bit of the block's sequence number. */
        BLOCK_SEQUENCE,
        /** Any bit of any field of the block header. */
        BLOCK_ANY_FIELD,
        /** A bit of the durable sequence of an ACK, on its way back to the source. */
        ACK_DURABLE_SEQUENCE
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    void shouldRefuseAFrameWithAHeaderBitFlippedAndEndEqual(Target target) throws Exception {
        Random random = new Random(SEED + target.ordinal());
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, VOLUME_BYTES, 21);
        long blockOffset = BLOCK * (16L + random.nextInt((int) (VOLUME_BYTES / BLOCK) - 32));
        Field field;
        int valueBit;
        switch (target) {
            case BLOCK_OFFSET -> {
                field = BLOCK_HEADER.get(3);
                valueBit = 12 + random.nextInt(Long.numberOfTrailingZeros(VOLUME_BYTES) - 12);
            }
            case BLOCK_SEQUENCE -> {
                field = BLOCK_HEADER.get(2);
                valueBit = random.nextInt(48);
            }
            case BLOCK_ANY_FIELD -> {
                field = BLOCK_HEADER.get(random.nextInt(BLOCK_HEADER.size()));
                valueBit = random.nextInt(8 * field.bytes());
            }
            default -> {
                field = new Field("durableSequence", 0, 8);
                valueBit = random.nextInt(48);
            }
        }
        boolean toTarget = target != Target.ACK_DURABLE_SEQUENCE;
        BitFlipProxy.Flip flip = new BitFlipProxy.Flip(toTarget, toTarget ? FrameType.BLOCK : FrameType.ACK,
                BitFlipProxy.BODY_OFFSET + field.bodyOffset() + field.bytes() - 1 - valueBit / 8, valueBit % 8);
        long movedTo = blockOffset ^ (1L << valueBit);
        String context = String.format("%s: %s bit %d of the block written at %d (frame byte %d bit %d), seed=%d",
                target, field.name(), valueBit, blockOffset, flip.byteInFrame(), flip.bit(), SEED);
        System.out.println("flipping " + context);

        try (Replication r = new Replication(dir)) {
            r.plaintext = true;
            r.startTarget();
            try (BitFlipProxy proxy = new BitFlipProxy(r.targetAddress)) {
                r.targetAddress = proxy.address();
                r.startSource(volume, "disk0");
                assertEquals(Outcome.OK, r.source.sync().get(60, TimeUnit.SECONDS).result(), context);
                proxy.arm(flip);
                byte[] written = new byte[BLOCK];
                random.nextBytes(written);
                try (FileChannel ch = FileChannel.open(volume, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(written), blockOffset);
                }
                SyncResult synced = r.source.sync().get(60, TimeUnit.SECONDS);

                assertEquals(Outcome.OK, synced.result(), context);
                assertEquals(1, proxy.flips(), "the proxy flipped one bit once: " + context);
                assertTrue(proxy.errors().stream().anyMatch(e -> e.fromTarget() == toTarget
                        && e.code() == ErrorCode.BAD_CHECKSUM), "the " + (toTarget ? "target" : "source")
                        + " refused the frame with BAD_CHECKSUM; error frames seen: " + proxy.errors() + ": " + context);
                if (toTarget) {
                    assertEquals(1.0, r.registry.get(TargetMetrics.ERRORS).tag("code", ErrorCode.BAD_CHECKSUM.name())
                            .counter().count(), context);
                }
                assertTrue(proxy.connections() >= 2, "the source reconnected: " + context);
                if (target == Target.BLOCK_OFFSET) {
                    assertArrayEquals(read(volume, movedTo), read(r.targetImage("disk0"), movedTo),
                            "nothing of the frame was written where its corrupted offset " + movedTo + " pointed: "
                                    + context);
                }
                assertArrayEquals(written, read(r.targetImage("disk0"), blockOffset), "the block was sent again: "
                        + context);
                assertSameBytes(volume, r.targetImage("disk0"));
                VerifyResult verified = r.source.verify().get(60, TimeUnit.SECONDS);
                assertEquals(VerifyOutcome.OK, verified.result(), verified.reason() + ": " + context);
                assertEquals(0, verified.volumes().get(0).chunksDiffering(), context);
            }
        }
    }

    private static byte[] read(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(BLOCK);
            ch.read(b, offset);
            return b.array();
        }
    }
}
