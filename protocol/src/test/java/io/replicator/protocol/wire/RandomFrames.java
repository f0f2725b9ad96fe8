package io.replicator.protocol.wire;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jpountz.lz4.LZ4Factory;

/**
 * Random valid frames of every type, drawn from a seeded {@link Random}: the same seed gives the
 * same frames. Block payloads are unpooled heap buffers; the caller releases the frames. Not
 * thread-safe.
 */
public final class RandomFrames {
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_.é€";
    private final Random random;
    private final int maxBlockBytes;

    /** Block frames carry up to {@code maxBlockBytes} of plain bytes. */
    public RandomFrames(Random random, int maxBlockBytes) {
        this.random = random;
        this.maxBlockBytes = maxBlockBytes;
    }

    public Frame next() {
        return switch (FrameType.values()[random.nextInt(FrameType.values().length)]) {
            case HELLO -> hello();
            case HELLO_ACK -> {
                int min = 1 + random.nextInt(3);
                int max = min + random.nextInt(3);
                yield new HelloAck(min + random.nextInt(max - min + 1), min, max, random.nextLong(), nonNegative());
            }
            case BLOCK -> block();
            case ACK -> new Ack(nonNegative());
            case BARRIER -> new Barrier(nonNegative(), nonNegative());
            case BARRIER_ACK -> new BarrierAck(nonNegative(), nonNegative());
            case HASH_REQUEST -> new HashRequest(nonNegative(), random.nextInt(Hello.MAX_VOLUMES), offset(),
                    chunkSize(), 1 + random.nextInt(HashRequest.MAX_CHUNKS));
            case HASH_RESPONSE -> hashResponse();
            case ERROR -> new ErrorFrame(ErrorCode.values()[1 + random.nextInt(ErrorCode.values().length - 1)],
                    name(random.nextInt(2) == 0 ? 0 : random.nextInt(1500)));
            case HEARTBEAT -> Heartbeat.INSTANCE;
            case CUTOVER_REPORT -> new CutoverReport(nonNegative(), random.nextBoolean(), "w" + random.nextInt(1000),
                    name(random.nextInt(3000)), name(random.nextInt(3000)));
            case CUTOVER_REPORT_ACK -> new CutoverReportAck(nonNegative(), random.nextBoolean());
            case CHECKPOINT -> new Checkpoint(nonNegative(), Checkpoint.Kind.values()[random.nextInt(2)], nonNegative(),
                    nonNegative(), nonNegative(), random.nextInt(Integer.MAX_VALUE), name(random.nextInt(40)));
            case CHECKPOINT_ACK -> new CheckpointAck(nonNegative(), random.nextBoolean(), name(random.nextInt(200)));
        };
    }

    private Hello hello() {
        int min = 1 + random.nextInt(3);
        List<VolumeInfo> volumes = new ArrayList<>();
        int count = 1 + random.nextInt(random.nextInt(10) == 0 ? Hello.MAX_VOLUMES : 4);
        for (int i = 0; i < count; i++) {
            volumes.add(new VolumeInfo("v" + i + name(random.nextInt(20)),
                    (long) (random.nextDouble() * VolumeInfo.MAX_VOLUME_SIZE), chunkSize()));
        }
        return new Hello(min, min + random.nextInt(3), random.nextLong(), "s" + name(random.nextInt(40)), volumes);
    }

    private BlockFrame block() {
        int length = 1 + random.nextInt(maxBlockBytes);
        long sequence = 1 + (random.nextLong() & (Long.MAX_VALUE - 1));
        int volume = random.nextInt(Hello.MAX_VOLUMES);
        int crc = random.nextInt();
        Encoding encoding = Encoding.values()[random.nextInt(3)];
        byte[] payload = switch (encoding) {
            case RAW -> bytes(length);
            case ZERO -> new byte[0];
            case LZ4 -> bytes(1 + random.nextInt(LZ4Factory.safeInstance().fastCompressor().maxCompressedLength(length)));
        };
        return new BlockFrame(volume, encoding, sequence, offset(), length, crc, Unpooled.wrappedBuffer(payload));
    }

    private HashResponse hashResponse() {
        byte[][] hashes = new byte[1 + random.nextInt(random.nextInt(10) == 0 ? HashRequest.MAX_CHUNKS : 8)][];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = bytes(HashResponse.HASH_LENGTH);
        }
        return new HashResponse(nonNegative(), random.nextInt(Hello.MAX_VOLUMES), offset(), chunkSize(), hashes);
    }

    private String name(int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
        }
        return sb.toString();
    }

    private byte[] bytes(int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    private long nonNegative() {
        return random.nextInt(4) == 0 ? random.nextInt(3) : random.nextLong() & Long.MAX_VALUE;
    }

    private long offset() {
        return (long) (random.nextDouble() * (VolumeInfo.MAX_VOLUME_SIZE - 1));
    }

    private int chunkSize() {
        return VolumeInfo.MIN_BLOCK_SIZE << random.nextInt(9);
    }
}
