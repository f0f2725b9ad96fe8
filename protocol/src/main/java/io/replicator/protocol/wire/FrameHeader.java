package io.replicator.protocol.wire;

/**
 * The header in front of every frame body of protocol v1.
 *
 * <pre>
 *  0          4      5       6
 *  +----------+------+-------+---------------------------+
 *  | length   | type | flags | body (length - 2 bytes)   |
 *  | u32      | u8   | u8=0  |                           |
 *  +----------+------+-------+---------------------------+
 * </pre>
 * {@code length} counts the bytes after itself, big-endian, {@link #MIN_LENGTH} to {@link
 * #MAX_LENGTH}; {@code type} is a {@link FrameType}; {@code flags} are reserved and zero in v1.
 */
public final class FrameHeader {
    public static final int LENGTH_FIELD_LENGTH = 4;
    public static final int TYPE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int HEADER_LENGTH = 6;
    /** Type and flags with an empty body. */
    public static final int MIN_LENGTH = 2;
    /** The largest frame: a block frame carrying the LZ4 bound of the largest block. */
    public static final int MAX_LENGTH = 2 + BlockFrame.HEADER_LENGTH + BlockFrame.MAX_PAYLOAD_LENGTH;

    private FrameHeader() {
    }
}
