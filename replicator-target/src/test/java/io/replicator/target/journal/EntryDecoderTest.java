package io.replicator.target.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.Encoding;
import io.replicator.target.journal.internal.EntryDecoder;
import io.replicator.target.journal.internal.EntryFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The entry format byte by byte: a golden entry, and one refusal per field that can be wrong. */
@Timeout(30)
class EntryDecoderTest {
    /** A BLOCK entry, field by field (big-endian). */
    private static final String GOLDEN_BLOCK = ""
            + "524a4e4c"          // magic "RJNL"
            + "0001"              // version 1
            + "01"                // type BLOCK
            + "00"                // reserved
            + "0000000000000007"  // entryNumber 7
            + "0000019af61bac00"  // timeMs 1765065600000 (2025-12-07T00:00:00Z)
            + "00000023"          // bodyLen 35 = 32 + 3
            + "0002"              // volume 2
            + "00"                // encoding RAW
            + "00"                // reserved
            + "0000000000000029"  // sequence 41
            + "0000000000001000"  // offset 4096
            + "00000003"          // length 3
            + "11223344"          // crc32c of the plain bytes (the source's; not checked here)
            + "00000003"          // payloadLen 3
            + "616263";           // payload "abc"
    // followed by the entry's CRC32C, computed below

    @Test
    void shouldDecodeTheGoldenBlockEntry() throws Exception {
        ByteBuffer entry = withCrc(GOLDEN_BLOCK);
        JournalEntry.Block block = (JournalEntry.Block) EntryDecoder.decode(entry, 99, "j");
        assertEquals(99, block.position());
        assertEquals(7, block.entryNumber());
        assertEquals(1765065600000L, block.timeMs());
        assertEquals(2, block.volume());
        assertEquals(Encoding.RAW, block.encoding());
        assertEquals(41, block.sequence());
        assertEquals(4096, block.offset());
        assertEquals(3, block.lengthBytes());
        assertEquals(0x11223344, block.plainCrc32c());
        byte[] payload = new byte[3];
        block.payload().duplicate().get(payload);
        assertArrayEquals("abc".getBytes(), payload);
    }

    @Test
    void shouldWriteTheGoldenBlockEntryAsTheJournalDoes() {
        ByteBuffer out = ByteBuffer.allocate(EntryFormat.HEADER_LENGTH + 35).order(ByteOrder.BIG_ENDIAN);
        EntryFormat.putHeader(out, EntryFormat.TYPE_BLOCK, 7, 1765065600000L, 35);
        EntryFormat.putBlockFixed(out, 2, Encoding.RAW.code(), 41, 4096, 3, 0x11223344, 3);
        out.put("abc".getBytes());
        assertEquals(GOLDEN_BLOCK, HexFormat.of().formatHex(out.array()));
    }

    @Test
    void shouldDecodeAMarker() throws Exception {
        ByteBuffer out = ByteBuffer.allocate(EntryFormat.HEADER_LENGTH + 22).order(ByteOrder.BIG_ENDIAN);
        EntryFormat.putHeader(out, EntryFormat.TYPE_MARKER, 8, 5, 22);
        EntryFormat.putMarker(out, MarkerKind.CHECKPOINT.code(), 3, 41, "ok".getBytes());
        JournalEntry.Marker marker = (JournalEntry.Marker) EntryDecoder.decode(withCrc(hex(out)), 1, "j");
        assertEquals(MarkerKind.CHECKPOINT, marker.kind());
        assertEquals(3, marker.id());
        assertEquals(41, marker.sequence());
        assertEquals("ok", marker.label());
    }

    @Test
    void shouldRefuseAGarbledByteByItsCrc() {
        ByteBuffer entry = withCrc(GOLDEN_BLOCK);
        entry.put(60, (byte) 'x');
        assertRefused(entry, "CRC32C mismatch");
    }

    @Test
    void shouldDecodeAgainAnEntryCheckedBeforeWithItsPayloadAViewOfTheEntry() throws Exception {
        ByteBuffer entry = withCrc(GOLDEN_BLOCK);
        entry.put(60, (byte) 'x'); // the CRC32C is not computed again: the payload's own check is the reader's
        JournalEntry.Block block = (JournalEntry.Block) EntryDecoder.decodeAgain(entry, 99, "j");
        assertEquals(4096, block.offset());
        assertEquals('x', block.payload().get(block.payload().position()));
        entry.put(60, (byte) 'y');
        assertEquals('y', block.payload().get(block.payload().position()), "a view, not a copy");
        assertTrue(block.payload().isReadOnly());
    }

    @Test
    void shouldStillRefuseLengthsThatDoNotAddUpWhenDecodingAgain() {
        ByteBuffer entry = withCrc(replace(GOLDEN_BLOCK, 28 + 28, "00000004"));
        JournalCorruptException e = assertThrows(JournalCorruptException.class,
                () -> EntryDecoder.decodeAgain(entry, 99, "j"));
        assertTrue(e.getMessage().contains("invalid payloadLength: 4 (expected: 3"), e.getMessage());
    }

    @Test
    void shouldRefuseABadMagic() {
        assertRefused(withCrc("524a4e4d" + GOLDEN_BLOCK.substring(8)), "invalid magic: 0x524a4e4d");
    }

    @Test
    void shouldRefuseANewerVersion() {
        assertRefused(withCrc(replace(GOLDEN_BLOCK, 4, "0002")), "unsupported entry version: 2 (expected: 1-1)");
    }

    @Test
    void shouldRefuseAnUnknownType() {
        assertRefused(withCrc(replace(GOLDEN_BLOCK, 6, "09")), "invalid type: 9 (expected: 1-2)");
    }

    @Test
    void shouldRefuseABodyLengthThatDoesNotAddUp() {
        assertRefused(withCrc(replace(GOLDEN_BLOCK, 24, "00000024")), "invalid bodyLength: 36 (expected: 35");
    }

    @Test
    void shouldRefuseAPayloadLengthThatDoesNotAddUp() {
        assertRefused(withCrc(replace(GOLDEN_BLOCK, 28 + 28, "00000002")), "invalid payloadLength: 2 (expected: 3");
    }

    @Test
    void shouldRefuseAnUnknownEncoding() {
        assertRefused(withCrc(replace(GOLDEN_BLOCK, 28 + 2, "03")), "invalid encoding: 3 (expected: 0-2)");
    }

    @Test
    void shouldRefuseAPlainLengthOutOfBounds() {
        assertRefused(withCrc(replace(GOLDEN_BLOCK, 28 + 20, "00000000")), "invalid length: 0 (expected: 1-1048576)");
    }

    @Test
    void shouldRefuseAnEntryTooShortForItsHeader() {
        assertRefused(ByteBuffer.wrap(new byte[20]), "entry of 20 bytes (expected: at least 32)");
    }

    private static void assertRefused(ByteBuffer entry, String expected) {
        JournalCorruptException e = assertThrows(JournalCorruptException.class,
                () -> EntryDecoder.decode(entry, 0x5b00000001L, "/j/src"));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("/j/src")
                && e.getMessage().contains("0x5b00000001"), e.getMessage());
    }

    /** {@code hex} with the field at byte {@code offset} replaced by {@code field}. */
    private static String replace(String hex, int offset, String field) {
        return hex.substring(0, 2 * offset) + field + hex.substring(2 * offset + field.length());
    }

    private static String hex(ByteBuffer out) {
        return HexFormat.of().formatHex(out.array(), 0, out.position());
    }

    private static ByteBuffer withCrc(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        ByteBuffer entry = ByteBuffer.allocate(bytes.length + 4).order(ByteOrder.BIG_ENDIAN);
        entry.put(bytes).putInt(EntryFormat.crc(ByteBuffer.wrap(bytes), bytes.length)).flip();
        return entry;
    }
}
