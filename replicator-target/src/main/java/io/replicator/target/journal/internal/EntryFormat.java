package io.replicator.target.journal.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The one owner of the journal entry format: the bytes of one Chronicle Queue document (Chronicle's
 * own 4-byte document header comes before them and is not part of this format).
 *
 * <pre>
 *  0       4         6      7      8             16       24        28              28+bodyLen
 *  +-------+---------+------+------+-------------+--------+---------+---------------+--------+
 *  | magic | version | type | rsvd | entryNumber | timeMs | bodyLen | body          | crc32c |
 *  | u32   | u16     | u8   | u8=0 | u64         | u64    | u32     | bodyLen bytes | u32    |
 *  +-------+---------+------+------+-------------+--------+---------+---------------+--------+
 *
 *  body of a BLOCK entry (type 1): a BlockFrame's body, as received (docs/protocol.md)
 *  0        2     3      4          12       20       24       28           32
 *  +--------+-----+------+----------+--------+--------+--------+------------+---------+
 *  | volume | enc | rsvd | sequence | offset | length | crc32c | payloadLen | payload |
 *  | u16    | u8  | u8=0 | u64      | u64    | u32    | u32    | u32        | bytes   |
 *  +--------+-----+------+----------+--------+--------+--------+------------+---------+
 *
 *  body of a MARKER entry (type 2)
 *  0      1      2         4    12         20
 *  +------+------+---------+----+----------+-------+
 *  | kind | rsvd | labelLen| id | sequence | label |
 *  | u8   | u8=0 | u16     | u64| u64      | UTF-8 |
 *  +------+------+---------+----+----------+-------+
 * </pre>
 * Big-endian. Magic is ASCII {@code "RJNL"}. {@code entryNumber} counts entries from 1 across cycles,
 * each exactly one more than the one before. {@code timeMs} is UTC milliseconds when appended. The
 * entry's CRC32C covers bytes 0 to {@code 28 + bodyLen}; the block's own {@code crc32c} is the
 * source's CRC32C of the plain (decoded) bytes, kept so that whoever decodes the payload checks it
 * end to end. Fields are only added, at the end of a body, with a higher version.
 *
 * <p>Stateless; thread-safe.
 */
public final class EntryFormat {
    public static final int MAGIC = 0x524A4E4C;
    public static final int VERSION = 1;
    public static final int TYPE_BLOCK = 1;
    public static final int TYPE_MARKER = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int TYPE_OFFSET = 6;
    public static final int RESERVED_OFFSET = 7;
    public static final int ENTRY_NUMBER_OFFSET = 8;
    public static final int TIME_OFFSET = 16;
    public static final int BODY_LENGTH_OFFSET = 24;
    public static final int HEADER_LENGTH = 28;
    public static final int CRC_LENGTH = 4;

    public static final int BLOCK_VOLUME_OFFSET = 0;
    public static final int BLOCK_ENCODING_OFFSET = 2;
    public static final int BLOCK_RESERVED_OFFSET = 3;
    public static final int BLOCK_SEQUENCE_OFFSET = 4;
    public static final int BLOCK_OFFSET_OFFSET = 12;
    public static final int BLOCK_LENGTH_OFFSET = 20;
    public static final int BLOCK_CRC_OFFSET = 24;
    public static final int BLOCK_PAYLOAD_LENGTH_OFFSET = 28;
    public static final int BLOCK_FIXED_LENGTH = 32;
    /** A payload is at most a block frame's: 1 MiB plain, plus LZ4's worst-case growth. */
    public static final int MAX_PAYLOAD_BYTES = (1 << 20) + (1 << 20) / 255 + 16;

    public static final int MARKER_KIND_OFFSET = 0;
    public static final int MARKER_RESERVED_OFFSET = 1;
    public static final int MARKER_LABEL_LENGTH_OFFSET = 2;
    public static final int MARKER_ID_OFFSET = 4;
    public static final int MARKER_SEQUENCE_OFFSET = 12;
    public static final int MARKER_FIXED_LENGTH = 20;
    public static final int MAX_LABEL_BYTES = 1024;

    /** The longest entry: a block with the largest payload. */
    public static final int MAX_ENTRY_BYTES = HEADER_LENGTH + BLOCK_FIXED_LENGTH + MAX_PAYLOAD_BYTES + CRC_LENGTH;

    private EntryFormat() {
    }

    /** Writes the header of an entry with a body of {@code bodyLength} bytes into {@code out} (28 bytes). */
    public static void putHeader(ByteBuffer out, int type, long entryNumber, long timeMs, int bodyLength) {
        out.order(ByteOrder.BIG_ENDIAN);
        out.putInt(MAGIC).putShort((short) VERSION).put((byte) type).put((byte) 0)
                .putLong(entryNumber).putLong(timeMs).putInt(bodyLength);
    }

    /** Writes the fixed part of a block body (32 bytes); the payload follows it. */
    public static void putBlockFixed(ByteBuffer out, int volume, int encoding, long sequence, long offset,
                                     int lengthBytes, int plainCrc32c, int payloadLength) {
        out.putShort((short) volume).put((byte) encoding).put((byte) 0).putLong(sequence).putLong(offset)
                .putInt(lengthBytes).putInt(plainCrc32c).putInt(payloadLength);
    }

    /** Writes a whole marker body: its fixed part and its label. */
    public static void putMarker(ByteBuffer out, int kind, long id, long sequence, byte[] label) {
        out.put((byte) kind).put((byte) 0).putShort((short) label.length).putLong(id).putLong(sequence).put(label);
    }

    public static byte[] labelBytes(String label) {
        byte[] bytes = label.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_LABEL_BYTES) {
            throw new IllegalArgumentException(String.format("invalid label: %d bytes of UTF-8 (expected: 0-%d)",
                    bytes.length, MAX_LABEL_BYTES));
        }
        return bytes;
    }

    /** The CRC32C of the {@code length} bytes of {@code entry} from its start (its position is left alone). */
    public static int crc(ByteBuffer entry, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = entry.duplicate();
        view.limit(view.position() + length);
        crc.update(view);
        return (int) crc.getValue();
    }
}
