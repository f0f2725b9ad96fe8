package io.replicator.source.track;

import java.nio.ByteBuffer;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The block fingerprint: xxHash64 of the block's bytes, never {@link FingerprintStore#UNKNOWN}
 * (0 is remapped to 1). Used only to notice change locally; the proof of equality uses SHA-256.
 * Thread-safe.
 */
public final class Fingerprints {
    private static final XXHash64 HASH = XXHashFactory.fastestInstance().hash64();
    private static final long SEED = 0x5EED_B10CL;

    private Fingerprints() {
    }

    /** Fingerprint of {@code block} from position to limit; position is left unchanged. */
    public static long of(ByteBuffer block) {
        long h = HASH.hash(block, block.position(), block.remaining(), SEED);
        return h == FingerprintStore.UNKNOWN ? 1 : h;
    }
}
