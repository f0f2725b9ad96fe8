package io.replicator.protocol.block;

import io.replicator.protocol.wire.HashResponse;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hashes both sides compute to prove a volume equal: the SHA-256 of each chunk (the last one
 * clipped at the volume's end), and a root that is the SHA-256 of the chunk hashes in order,
 * prefixed by the volume size and chunk size as two big-endian u64. Equal roots mean equal bytes.
 * Not thread-safe: one per hashing thread.
 */
public final class ChunkHashes {
    private final MessageDigest chunkDigest = newSha256();
    private final MessageDigest rootDigest = newSha256();

    /** SHA-256 of {@code chunk} from position to limit; position is left unchanged. */
    public byte[] hashChunk(ByteBuffer chunk) {
        chunkDigest.reset();
        chunkDigest.update(chunk.duplicate());
        return chunkDigest.digest();
    }

    /** Starts a root over a volume of {@code sizeBytes} hashed in chunks of {@code chunkSizeBytes}. */
    public void beginRoot(long sizeBytes, int chunkSizeBytes) {
        rootDigest.reset();
        ByteBuffer header = ByteBuffer.allocate(16).putLong(sizeBytes).putLong(chunkSizeBytes).flip();
        rootDigest.update(header);
    }

    /** Adds the next chunk hash, in volume order. */
    public void addToRoot(byte[] chunkHash) {
        if (chunkHash.length != HashResponse.HASH_LENGTH) {
            throw new IllegalArgumentException("chunk hash of " + chunkHash.length + " bytes");
        }
        rootDigest.update(chunkHash);
    }

    /** The root as lower-case hex, prefixed {@code sha256:}; resets the root. */
    public String finishRoot() {
        return "sha256:" + HexFormat.of().formatHex(rootDigest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
