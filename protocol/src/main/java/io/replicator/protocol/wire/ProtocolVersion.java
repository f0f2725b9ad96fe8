package io.replicator.protocol.wire;

/**
 * Version negotiation. Each side offers {@code [min,max]}; both use the lower of the two maxima
 * when the ranges overlap, and refuse with both ranges in the message when they do not.
 */
public final class ProtocolVersion {
    /** Magic at the start of every {@link Hello} and {@link HelloAck}: ASCII {@code "RPLC"}. */
    public static final int MAGIC = 0x52504C43;
    /**
     * The oldest version this code speaks. v2 put a CRC32C trailer on every frame ({@link
     * FrameEnvelope}); a v1 peer, whose frames have none, is refused with both ranges.
     */
    public static final int MIN_SUPPORTED = 2;
    public static final int MAX_SUPPORTED = 2;
    /** Versions are u16 on the wire; 0 is not a version. */
    static final int MAX_WIRE_VERSION = 0xFFFF;

    /** Feature bits offered in the handshake; the connection uses the intersection. */
    public static final long FEATURE_LZ4 = 1L;
    public static final long FEATURE_ZERO_RANGES = 1L << 1;
    /**
     * A block frame may carry a run of consecutive blocks: its offset is on a block boundary, its
     * length up to {@link #MAX_RUN_BYTES}, and it ends on a block boundary or at the volume's end.
     * Without it a frame carries at most one block. Since v1 (bit added after the first release).
     */
    public static final long FEATURE_BLOCK_RUNS = 1L << 2;
    /**
     * The source may send {@link CutoverReport} (and expect {@link CutoverReportAck}); the target seals
     * a source's volumes when asked and refuses a sealed source with {@link ErrorCode#CUT_OVER}. Since
     * v2 (bit added after the first release).
     */
    public static final long FEATURE_CUTOVER_SEAL = 1L << 3;
    /**
     * The target journals what arrives after the source's initial copy and keeps consistent
     * checkpoints: the source may send {@link Checkpoint} (and expect {@link CheckpointAck}). Since v2
     * (bit added after the first release).
     */
    public static final long FEATURE_JOURNAL = 1L << 4;
    public static final long SUPPORTED_FEATURES = FEATURE_LZ4 | FEATURE_ZERO_RANGES | FEATURE_BLOCK_RUNS
            | FEATURE_CUTOVER_SEAL;
    /** The longest run of blocks one frame may carry under {@link #FEATURE_BLOCK_RUNS}. */
    public static final int MAX_RUN_BYTES = VolumeInfo.MAX_BLOCK_SIZE;

    private ProtocolVersion() {
    }

    /** The version both sides use, or a {@link ProtocolException} naming both ranges. */
    public static int negotiate(int localMin, int localMax, int peerMin, int peerMax) {
        int chosen = Math.min(localMax, peerMax);
        if (chosen < localMin || chosen < peerMin || peerMin > peerMax) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION,
                    noCommonVersion(localMin, localMax, peerMin, peerMax));
        }
        return chosen;
    }

    /**
     * The version a {@link HelloAck} says the target chose, once checked against ours: its range
     * must meet ours and its choice must be the one both sides compute. A {@link ProtocolException}
     * ({@link ErrorCode#UNSUPPORTED_VERSION}) naming both ranges otherwise.
     */
    public static int checkHelloAck(HelloAck ack) {
        int chosen = negotiate(MIN_SUPPORTED, MAX_SUPPORTED, ack.minVersion(), ack.maxVersion());
        if (ack.version() != chosen) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, String.format(
                    "the target chose protocol v%d, but the common version is v%d: I support %d-%d, peer supports %d-%d",
                    ack.version(), chosen, MIN_SUPPORTED, MAX_SUPPORTED, ack.minVersion(), ack.maxVersion()));
        }
        return chosen;
    }

    /** The refusal's words when two ranges do not meet: both ranges, ours first. */
    static String noCommonVersion(int localMin, int localMax, int peerMin, int peerMax) {
        return String.format("no common protocol version: I support %d-%d, peer supports %d-%d",
                localMin, localMax, peerMin, peerMax);
    }

    /** Refuses a version range that cannot be meant: 0, wider than u16, or {@code min > max}. */
    static void checkRange(int minVersion, int maxVersion) {
        ProtocolException.checkRange("minVersion", minVersion, 1, MAX_WIRE_VERSION);
        ProtocolException.checkRange("maxVersion", maxVersion, minVersion, MAX_WIRE_VERSION);
    }

    static void checkMagic(int magic) {
        if (magic != MAGIC) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                    "invalid magic: 0x%08x (expected: 0x%08x, is the peer a replicator?)", magic, MAGIC));
        }
    }
}
