package io.replicator.protocol.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Chunk hashes are plain SHA-256; the root changes with any byte, the order and the sizes. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChunkHashesTest {
    private static final int CHUNK = 4096;
    private final ChunkHashes hashes = new ChunkHashes();

    @Test
    void shouldHashChunkWithSha256() throws NoSuchAlgorithmException {
        byte[] data = random(3 * CHUNK + 100, 1);
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer buf = BlockCodecTest.buffer(data, direct).position(100);
            byte[] hash = hashes.hashChunk(buf);
            assertEquals(100, buf.position(), "the hash moved the buffer");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(data, 100, data.length - 100);
            assertArrayEquals(sha.digest(), hash);
        }
    }

    @Test
    void shouldDefineRootAsSha256OfSizesAndChunkHashes() throws NoSuchAlgorithmException {
        byte[][] chunks = {random(CHUNK, 2), random(CHUNK, 3), random(10, 4)};
        long size = 2L * CHUNK + 10;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(ByteBuffer.allocate(16).putLong(size).putLong(CHUNK).flip());
        for (byte[] chunk : chunks) {
            sha.update(MessageDigest.getInstance("SHA-256").digest(chunk));
        }
        String expected = "sha256:" + HexFormat.of().formatHex(sha.digest());
        assertEquals(expected, root(size, CHUNK, chunks));
        assertEquals(expected, root(size, CHUNK, chunks), "finishRoot did not reset");
        assertTrue(expected.matches("sha256:[0-9a-f]{64}"));
    }

    @Test
    void shouldChangeRootWhenOneByteOfOneChunkChanges() {
        byte[][] chunks = {random(CHUNK, 5), random(CHUNK, 6)};
        String before = root(2 * CHUNK, CHUNK, chunks);
        chunks[1][CHUNK - 1] ^= 1;
        assertNotEquals(before, root(2 * CHUNK, CHUNK, chunks));
    }

    @Test
    void shouldChangeRootWhenTheOrderChanges() {
        byte[] a = random(CHUNK, 7);
        byte[] b = random(CHUNK, 8);
        assertNotEquals(root(2 * CHUNK, CHUNK, new byte[][] {a, b}), root(2 * CHUNK, CHUNK, new byte[][] {b, a}));
    }

    @Test
    void shouldChangeRootWhenTheSizeChanges() {
        byte[][] chunks = {random(CHUNK, 9), new byte[CHUNK]};
        String root = root(2 * CHUNK, CHUNK, chunks);
        assertNotEquals(root, root(2 * CHUNK + 1, CHUNK, chunks), "volume size");
        assertNotEquals(root, root(2 * CHUNK, 2 * CHUNK, chunks), "chunk size");
    }

    @Test
    void shouldRefuseChunkHashOfTheWrongLength() {
        hashes.beginRoot(0, CHUNK);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hashes.addToRoot(new byte[31]));
        assertEquals("chunk hash of 31 bytes", e.getMessage());
    }

    private String root(long sizeBytes, int chunkSizeBytes, byte[][] chunks) {
        hashes.beginRoot(sizeBytes, chunkSizeBytes);
        for (byte[] chunk : chunks) {
            hashes.addToRoot(hashes.hashChunk(ByteBuffer.wrap(chunk)));
        }
        return hashes.finishRoot();
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }
}
