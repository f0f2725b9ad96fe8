package io.replicator.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * A volume a source declares in its {@link Hello}: its name, its size and the block size it
 * replicates in.
 *
 * <pre>
 *  +-----------+-----------+----------------+-----------------+
 *  | nameLen   | name      | sizeBytes      | blockSizeBytes  |
 *  | u16       | UTF-8     | u64            | u32             |
 *  +-----------+-----------+----------------+-----------------+
 * </pre>
 */
public record VolumeInfo(String name, long sizeBytes, int blockSizeBytes) {
    /** Longest volume name in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 128;
    /** Smallest block size: one 4 KiB page, the O_DIRECT alignment of every common device. */
    public static final int MIN_BLOCK_SIZE = 4096;
    /** Largest block size: bounds every block frame's allocation. */
    public static final int MAX_BLOCK_SIZE = 1 << 20;
    /** Largest volume: 1 PiB. */
    public static final long MAX_VOLUME_SIZE = 1L << 50;

    public VolumeInfo {
        checkName(name);
        ProtocolException.checkRange("sizeBytes", sizeBytes, 0, MAX_VOLUME_SIZE);
        checkBlockSize(blockSizeBytes);
    }

    /** Number of blocks, the last one possibly short. */
    public long blockCount() {
        return (sizeBytes + blockSizeBytes - 1) / blockSizeBytes;
    }

    /**
     * Refuses names that could escape a directory or confuse a terminal: empty, longer than
     * {@link #MAX_NAME_BYTES}, {@code .} or {@code ..}, containing {@code /}, {@code \} or a control
     * character.
     */
    public static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "invalid volume name: empty");
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    "invalid volume name: longer than " + MAX_NAME_BYTES + " bytes");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "invalid volume name: '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || Character.isISOControl(c)) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format(
                        "invalid volume name: character 0x%02x at %d is not allowed", (int) c, i));
            }
        }
        return name;
    }

    static void checkBlockSize(int blockSizeBytes) {
        checkBlockSize("blockSizeBytes", blockSizeBytes);
    }

    /**
     * The block-size rule, for a value not yet on the wire (a command-line flag): a power of two from
     * {@link #MIN_BLOCK_SIZE} to {@link #MAX_BLOCK_SIZE}.
     */
    public static boolean isBlockSize(long sizeBytes) {
        return sizeBytes >= MIN_BLOCK_SIZE && sizeBytes <= MAX_BLOCK_SIZE && Long.bitCount(sizeBytes) == 1;
    }

    /** The block-size rules for any field that holds one; the message names {@code field}. */
    static void checkBlockSize(String field, int sizeBytes) {
        ProtocolException.checkRange(field, sizeBytes, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE);
        if (!isBlockSize(sizeBytes)) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME,
                    "invalid " + field + ": " + sizeBytes + " (expected: a power of two)");
        }
    }

    void encode(ByteBuf out) {
        WireStrings.write(out, name);
        out.writeLong(sizeBytes);
        out.writeInt(blockSizeBytes);
    }

    static VolumeInfo decode(ByteBuf in) {
        String name = WireStrings.read(in, "volume name", MAX_NAME_BYTES);
        WireStrings.need(in, 12, "volume size and block size");
        long size = in.readLong();
        int blockSize = in.readInt();
        return new VolumeInfo(name, size, blockSize);
    }
}
