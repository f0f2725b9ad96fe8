package io.replicator.source.track.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pages laid out as a 6.18 x86-64 kernel writes them (the offsets of its format files). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TracePageTest {
    static final TraceFormat FORMAT = new TraceFormat(8, 8, 16, new TraceFormat.Completion(2107, 8, 16, 24, 34, 10),
            new TraceFormat.Completion(2100, 8, 16, 24, 32, 10), 5, 16);
    private static final long LOOP0 = 7L << 20;

    private final List<String> seen = new ArrayList<>();
    private final TracePage.Handler handler = new TracePage.Handler() {
        @Override
        public void completion(long kernelDev, long sector, long nrSectors) {
            seen.add("c " + (kernelDev >>> 20) + "," + (kernelDev & 0xfffff) + " " + sector + "+" + nrSectors);
        }

        @Override
        public void marker(String text) {
            seen.add("m " + text);
        }

        @Override
        public void missedEvents() {
            seen.add("missed");
        }
    };

    /** Builds one page: events appended with the header the kernel gives their size. */
    static final class PageBuilder {
        private final ByteBuffer page = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
        private long flags;

        PageBuilder() {
            page.position(16);
        }

        PageBuilder header(int type, int delta) {
            page.putInt(type | delta << 5);
            return this;
        }

        /** A data event: small ones carry their length in type_len, others (or forced) in a length word. */
        PageBuilder event(byte[] payload, boolean lengthWord) {
            int padded = (payload.length + 3) & ~3;
            if (lengthWord || padded > 28 * 4) {
                header(0, 1);
                page.putInt(padded + 4);
            } else {
                header(padded / 4, 1);
            }
            page.put(payload);
            page.position(page.position() + padded - payload.length);
            return this;
        }

        PageBuilder timeExtend() {
            header(30, 7);
            page.putInt(1);
            return this;
        }

        /** A discarded event: its length word counts itself and the bytes after it, as a type 0 one's does. */
        PageBuilder discarded(int bytes) {
            header(29, 1);
            page.putInt(bytes + 4);
            page.position(page.position() + bytes);
            return this;
        }

        PageBuilder missedEvents() {
            flags |= 1L << TracePage.MISSED_EVENTS_BIT;
            return this;
        }

        ByteBuffer build() {
            int length = page.position() - 16;
            page.putLong(8, length | flags);
            return page.duplicate().clear().order(ByteOrder.BIG_ENDIAN);
        }
    }

    static byte[] rq(long dev, long sector, int nr, String rwbs) {
        ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) 2107).putInt(8, (int) dev).putLong(16, sector).putInt(24, nr);
        b.put(34, rwbs.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    static byte[] bio(long dev, long sector, int nr, String rwbs) {
        ByteBuffer b = ByteBuffer.allocate(42).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) 2100).putInt(8, (int) dev).putLong(16, sector).putInt(24, nr);
        b.put(32, rwbs.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    static byte[] print(String text) {
        byte[] t = (text + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(16 + t.length + 1).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) 5).put(16, t);
        return b.array();
    }

    private void parse(ByteBuffer page) throws TracePage.MalformedPageException {
        new TracePage(FORMAT).parse(page, handler);
    }

    @Test
    void shouldHandWritesDiscardsAndMarkersInOrderAndSkipReadsAndOtherEvents() throws Exception {
        ByteBuffer page = new PageBuilder()
                .event(rq(LOOP0, 40, 8, "WS"), false)
                .timeExtend()
                .event(rq(LOOP0, 80, 8, "R"), false)
                .event(bio((253L << 20) | 1, 1 << 20, 16, "W"), true)
                .discarded(44)
                .event(rq(LOOP0, 1000, 2048, "DS"), false)
                .event(rq(LOOP0, 8, 0, "FWS"), false)
                .event(new byte[] {9, 0, 1, 2}, false)
                .event(print("replicator-sync 7 1"), false)
                .event(rq(LOOP0, 16, 8, "N"), false)
                .build();
        parse(page);
        assertEquals(List.of("c 7,0 40+8", "c 253,1 1048576+16", "c 7,0 1000+2048", "m replicator-sync 7 1", "c 7,0 16+8"), seen);
    }

    @Test
    void shouldStopAtTrailingPaddingAndReportTheLostEventsFlagBeforeTheEvents() throws Exception {
        PageBuilder b = new PageBuilder().event(print("replicator-sync 3 0"), false).event(rq(LOOP0, 40, 8, "W"), false)
                .missedEvents();
        b.header(29, 0);
        b.event(rq(LOOP0, 80, 8, "W"), false);
        parse(b.build());
        assertEquals(List.of("missed", "m replicator-sync 3 0", "c 7,0 40+8"), seen);
    }

    @Test
    void shouldReadAnEmptyPage() throws Exception {
        parse(new PageBuilder().build());
        assertEquals(List.of(), seen);
    }

    @Test
    void shouldRefuseAPageWhoseCommitRunsPastWhatWasRead() {
        ByteBuffer page = new PageBuilder().event(rq(LOOP0, 40, 8, "W"), false).build();
        page.limit(40);
        TracePage.MalformedPageException e = assertThrows(TracePage.MalformedPageException.class, () -> parse(page));
        assertTrue(e.getMessage().contains("holds 52 bytes of events, but 24 were read"), e.getMessage());
    }

    @Test
    void shouldRefuseAnEventThatRunsPastThePage() {
        PageBuilder b = new PageBuilder().event(rq(LOOP0, 40, 8, "W"), false);
        b.header(0, 1).page.putInt(4000);
        TracePage.MalformedPageException e = assertThrows(TracePage.MalformedPageException.class, () -> parse(b.build()));
        assertTrue(e.getMessage().contains("past the page"), e.getMessage());
        assertEquals(List.of("c 7,0 40+8"), seen);
    }

    @Test
    void shouldRefuseATruncatedCompletionAndAPageShorterThanItsHeader() {
        ByteBuffer page = new PageBuilder().event(java.util.Arrays.copyOf(rq(LOOP0, 40, 8, "W"), 20), false).build();
        assertThrows(TracePage.MalformedPageException.class, () -> parse(page));
        assertThrows(TracePage.MalformedPageException.class, () -> parse(ByteBuffer.allocate(10)));
    }

    @Test
    void shouldSurviveEveryPageOfRandomBytes() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[16 + random.nextInt(4081)];
            random.nextBytes(bytes);
            ByteBuffer page = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
            page.putLong(8, random.nextInt(bytes.length - 15) | (random.nextBoolean() ? 1L << 31 : 0));
            try {
                parse(page);
            } catch (TracePage.MalformedPageException e) {
                // refused with a reason: fine
            }
        }
    }
}
