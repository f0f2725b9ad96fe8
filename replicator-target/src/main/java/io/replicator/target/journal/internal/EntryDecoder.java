package io.replicator.target.journal.internal;

import static io.replicator.target.journal.internal.EntryFormat.*;

import io.replicator.protocol.wire.Encoding;
import io.replicator.target.journal.JournalCorruptException;
import io.replicator.target.journal.JournalEntry;
import io.replicator.target.journal.MarkerKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Checks and decodes the bytes of one journal document ({@link EntryFormat}). Distrusts them: every
 * length is range-checked before anything is allocated, and the CRC32C is checked before any field is
 * believed. Stateless; thread-safe.
 */
public final class EntryDecoder {
    private static final int MAX_BLOCK_LENGTH = 1 << 20;

    private EntryDecoder() {
    }

    /**
     * Decodes the entry held in {@code doc} (position to limit), found at {@code position} of
     * {@code where} (a file name, for messages).
     */
    public static JournalEntry decode(ByteBuffer doc, long position, String where) throws JournalCorruptException {
        return decode(doc, position, where, true);
    }

    /**
     * Decodes again the entry held in {@code doc}, as {@link #decode(ByteBuffer, long, String)} does but
     * without checking its CRC32C, for an entry whose bytes were checked when read before, and with a
     * block's payload a read-only view of {@code doc} rather than a copy: valid while {@code doc} is.
     * Every length is still checked, so that nothing is read outside the entry.
     */
    public static JournalEntry decodeAgain(ByteBuffer doc, long position, String where)
            throws JournalCorruptException {
        return decode(doc, position, where, false);
    }

    private static JournalEntry decode(ByteBuffer doc, long position, String where, boolean fresh)
            throws JournalCorruptException {
        ByteBuffer in = doc.slice().order(ByteOrder.BIG_ENDIAN);
        int total = in.remaining();
        if (total < HEADER_LENGTH + CRC_LENGTH) {
            throw corrupt(where, position, String.format("entry of %d bytes (expected: at least %d)", total,
                    HEADER_LENGTH + CRC_LENGTH));
        }
        int magic = in.getInt(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw corrupt(where, position, String.format("invalid magic: 0x%08x (expected: 0x%08x)", magic, MAGIC));
        }
        int bodyLength = in.getInt(BODY_LENGTH_OFFSET);
        if (bodyLength != total - HEADER_LENGTH - CRC_LENGTH) {
            throw corrupt(where, position, String.format("invalid bodyLength: %d (expected: %d in an entry of %d bytes)",
                    bodyLength, total - HEADER_LENGTH - CRC_LENGTH, total));
        }
        int stored = in.getInt(total - CRC_LENGTH);
        int computed = fresh ? crc(in, total - CRC_LENGTH) : stored;
        if (stored != computed) {
            throw corrupt(where, position, String.format("CRC32C mismatch: stored 0x%08x, computed 0x%08x", stored,
                    computed));
        }
        int version = in.getShort(VERSION_OFFSET) & 0xffff;
        if (version < 1 || version > VERSION) {
            throw corrupt(where, position, String.format("unsupported entry version: %d (expected: 1-%d)", version,
                    VERSION));
        }
        int type = in.get(TYPE_OFFSET) & 0xff;
        long entryNumber = in.getLong(ENTRY_NUMBER_OFFSET);
        long timeMs = in.getLong(TIME_OFFSET);
        ByteBuffer body = in.slice(HEADER_LENGTH, bodyLength).order(ByteOrder.BIG_ENDIAN);
        return switch (type) {
            case TYPE_BLOCK -> block(body, position, entryNumber, timeMs, where, fresh);
            case TYPE_MARKER -> marker(body, position, entryNumber, timeMs, where);
            default -> throw corrupt(where, position, String.format("invalid type: %d (expected: %d-%d)", type,
                    TYPE_BLOCK, TYPE_MARKER));
        };
    }

    private static JournalEntry block(ByteBuffer body, long position, long entryNumber, long timeMs, String where,
                                      boolean copy) throws JournalCorruptException {
        if (body.remaining() < BLOCK_FIXED_LENGTH) {
            throw corrupt(where, position, String.format("block body of %d bytes (expected: at least %d)",
                    body.remaining(), BLOCK_FIXED_LENGTH));
        }
        int payloadLength = body.getInt(BLOCK_PAYLOAD_LENGTH_OFFSET);
        if (payloadLength != body.remaining() - BLOCK_FIXED_LENGTH || payloadLength > MAX_PAYLOAD_BYTES) {
            throw corrupt(where, position, String.format("invalid payloadLength: %d (expected: %d, at most %d)",
                    payloadLength, body.remaining() - BLOCK_FIXED_LENGTH, MAX_PAYLOAD_BYTES));
        }
        int encodingCode = body.get(BLOCK_ENCODING_OFFSET) & 0xff;
        if (encodingCode > Encoding.ZERO.code()) {
            throw corrupt(where, position, String.format("invalid encoding: %d (expected: 0-%d)", encodingCode,
                    Encoding.ZERO.code()));
        }
        int lengthBytes = body.getInt(BLOCK_LENGTH_OFFSET);
        if (lengthBytes < 1 || lengthBytes > MAX_BLOCK_LENGTH) {
            throw corrupt(where, position, String.format("invalid length: %d (expected: 1-%d)", lengthBytes,
                    MAX_BLOCK_LENGTH));
        }
        ByteBuffer payload = body.slice(BLOCK_FIXED_LENGTH, payloadLength);
        if (copy) {
            payload = ByteBuffer.allocate(payloadLength).put(payload).flip();
        }
        return new JournalEntry.Block(position, entryNumber, timeMs, body.getShort(BLOCK_VOLUME_OFFSET) & 0xffff,
                Encoding.forCode(encodingCode), body.getLong(BLOCK_SEQUENCE_OFFSET), body.getLong(BLOCK_OFFSET_OFFSET),
                lengthBytes, body.getInt(BLOCK_CRC_OFFSET), payload.asReadOnlyBuffer());
    }

    private static JournalEntry marker(ByteBuffer body, long position, long entryNumber, long timeMs, String where)
            throws JournalCorruptException {
        if (body.remaining() < MARKER_FIXED_LENGTH) {
            throw corrupt(where, position, String.format("marker body of %d bytes (expected: at least %d)",
                    body.remaining(), MARKER_FIXED_LENGTH));
        }
        int labelLength = body.getShort(MARKER_LABEL_LENGTH_OFFSET) & 0xffff;
        if (labelLength != body.remaining() - MARKER_FIXED_LENGTH || labelLength > MAX_LABEL_BYTES) {
            throw corrupt(where, position, String.format("invalid labelLength: %d (expected: %d, at most %d)",
                    labelLength, body.remaining() - MARKER_FIXED_LENGTH, MAX_LABEL_BYTES));
        }
        int kindCode = body.get(MARKER_KIND_OFFSET) & 0xff;
        MarkerKind kind = MarkerKind.forCode(kindCode);
        if (kind == null) {
            throw corrupt(where, position, String.format("invalid marker kind: %d (expected: 1-2)", kindCode));
        }
        byte[] label = new byte[labelLength];
        body.get(MARKER_FIXED_LENGTH, label);
        return new JournalEntry.Marker(position, entryNumber, timeMs, kind, body.getLong(MARKER_ID_OFFSET),
                body.getLong(MARKER_SEQUENCE_OFFSET), new String(label, StandardCharsets.UTF_8));
    }

    private static JournalCorruptException corrupt(String where, long position, String what) {
        return new JournalCorruptException(String.format("journal %s: entry at position 0x%x: %s", where, position,
                what));
    }
}
