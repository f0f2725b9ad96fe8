package io.replicator.target.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.replicator.protocol.wire.Encoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/** Blocks whose bytes follow from their sequence, so that what a journal gives back can be checked. */
final class JournalTestData {
    private JournalTestData() {
    }

    /** Payload length of block {@code sequence}: 1 byte to 16 KiB, a few sizes. */
    static int lengthOf(long sequence) {
        int[] sizes = {4096, 16384, 512, 1200, 1};
        return sizes[(int) (sequence % sizes.length)];
    }

    static byte[] payloadOf(long sequence) {
        byte[] bytes = new byte[lengthOf(sequence)];
        new SplittableRandom(sequence * 0x9E3779B97F4A7C15L).nextBytes(bytes);
        return bytes;
    }

    static int crcOf(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /** Appends block {@code sequence} (volume sequence % 3, RAW) and returns its position. */
    static long appendBlock(SourceJournal journal, long sequence) throws IOException {
        byte[] payload = payloadOf(sequence);
        return journal.appendBlock((int) (sequence % 3), Encoding.RAW, sequence, sequence * 65536, payload.length,
                crcOf(payload), ByteBuffer.wrap(payload));
    }

    /** Asserts that {@code entry} is block {@code sequence} as {@link #appendBlock} wrote it. */
    static void assertBlock(long sequence, JournalEntry entry) {
        JournalEntry.Block block = (JournalEntry.Block) entry;
        assertEquals(sequence, block.sequence(), "sequence");
        assertEquals(sequence % 3, block.volume(), "volume of " + sequence);
        assertEquals(sequence * 65536, block.offset(), "offset of " + sequence);
        byte[] payload = new byte[block.payload().remaining()];
        block.payload().duplicate().get(payload);
        assertArrayEquals(payloadOf(sequence), payload, "payload of " + sequence);
        assertEquals(crcOf(payload), block.plainCrc32c(), "crc of " + sequence);
    }

    /** The byte offset, in cycle file {@code file}, of the entry numbered {@code entryNumber}; -1 if absent. */
    static long offsetOfEntry(Path file, long entryNumber) throws IOException {
        ByteBuffer pattern = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        pattern.putInt(0x524A4E4C).putShort((short) 1).put((byte) 1).put((byte) 0).putLong(entryNumber);
        byte[] want = pattern.array();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer all = ByteBuffer.allocate((int) Math.min(channel.size(), 64L << 20));
            channel.read(all, 0);
            byte[] have = all.array();
            outer:
            for (int i = 0; i + want.length <= all.position(); i++) {
                for (int j = 0; j < want.length; j++) {
                    if (have[i + j] != want[j]) {
                        continue outer;
                    }
                }
                return i;
            }
        }
        return -1;
    }
}
