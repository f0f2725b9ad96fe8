package io.replicator.protocol.block;

import io.replicator.protocol.wire.VolumeInfo;
import java.nio.ByteBuffer;

/** All-zero detection and zero filling with the JDK's vectorized mismatch. Thread-safe. */
public final class ZeroCheck {
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(VolumeInfo.MAX_BLOCK_SIZE).asReadOnlyBuffer();

    private ZeroCheck() {
    }

    /** Whether every byte from position to limit is zero; position is left unchanged. */
    public static boolean isAllZero(ByteBuffer buf) {
        int pos = buf.position();
        int remaining = buf.remaining();
        while (remaining > 0) {
            int n = Math.min(remaining, ZEROS.capacity());
            ByteBuffer part = buf.duplicate().position(pos).limit(pos + n);
            if (part.mismatch(ZEROS.duplicate().limit(n)) != -1) {
                return false;
            }
            pos += n;
            remaining -= n;
        }
        return true;
    }

    /** Fills {@code dst} from position to limit with zeros; position is left unchanged. */
    public static void fillZero(ByteBuffer dst) {
        int pos = dst.position();
        while (dst.hasRemaining()) {
            int n = Math.min(dst.remaining(), ZEROS.capacity());
            dst.put(ZEROS.duplicate().limit(n));
        }
        dst.position(pos);
    }
}
