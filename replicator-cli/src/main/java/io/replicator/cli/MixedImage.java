package io.replicator.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Writes a volume image that looks like a used disk: 1 MiB chunks in shuffled order, 40% zeros
 * (left as holes), 30% text-like and compressible, 30% random. Seeded, so reproducible.
 */
public final class MixedImage {
    private static final int CHUNK_BYTES = 1 << 20;
    private static final String[] WORDS = ("the of and to in is was for on that with as by at from his her an be this "
            + "which or are had not but were have it they one all their has been would there more if its no can "
            + "when who will so what about out up into than other some could them these time only may then first "
            + "kernel block device volume replication server disk sector write read journal barrier cutover target "
            + "source checksum network packet latency throughput buffer commit transaction database index table")
            .split(" ");

    private MixedImage() {
    }

    public static void write(Path file, long sizeBytes, long seed) throws IOException {
        Random random = new Random(seed);
        int chunks = (int) ((sizeBytes + CHUNK_BYTES - 1) / CHUNK_BYTES);
        int[] kinds = new int[chunks];
        for (int i = 0; i < chunks; i++) {
            kinds[i] = i * 10 < chunks * 4 ? 0 : i * 10 < chunks * 7 ? 1 : 2;
        }
        for (int i = chunks - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = kinds[i];
            kinds[i] = kinds[j];
            kinds[j] = t;
        }
        byte[] chunk = new byte[CHUNK_BYTES];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < chunks; i++) {
                int length = (int) Math.min(CHUNK_BYTES, sizeBytes - (long) i * CHUNK_BYTES);
                if (kinds[i] == 0) {
                    continue;
                } else if (kinds[i] == 1) {
                    fillText(chunk, random);
                } else {
                    random.nextBytes(chunk);
                }
                ByteBuffer buf = ByteBuffer.wrap(chunk, 0, length);
                long position = (long) i * CHUNK_BYTES;
                while (buf.hasRemaining()) {
                    position += ch.write(buf, position);
                }
            }
            ch.truncate(sizeBytes);
            if (ch.size() < sizeBytes) {
                ch.write(ByteBuffer.allocate(1), sizeBytes - 1);
            }
            ch.force(true);
        }
    }

    private static void fillText(byte[] chunk, Random random) {
        int i = 0;
        while (i < chunk.length) {
            byte[] w = (WORDS[random.nextInt(WORDS.length)] + (random.nextInt(12) == 0 ? ".\n" : " "))
                    .getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(w.length, chunk.length - i);
            System.arraycopy(w, 0, chunk, i, n);
            i += n;
        }
    }
}
