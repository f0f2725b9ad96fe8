package io.replicator.source.track.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Walks the events of one page of {@code trace_pipe_raw}: the kernel's ring-buffer page as it is,
 * in the machine's byte order, without the text formatting {@code trace_pipe} does per event.
 * <pre>
 *  page:  | timestamp u64 | commit (TraceFormat.commitSize) | events ... (commit &amp; COMMIT_MASK bytes) |
 *  event: | type_len:5 time_delta:27 (u32) | payload ...
 *         type_len 1-28: payload of type_len * 4 bytes     0: u32 length L, then L - 4 bytes
 *         29: padding (time_delta 0: the rest of the page; else a discarded event of 4 + u32 bytes)
 *         30, 31: time extend, absolute time stamp (8 bytes in all)
 * </pre>
 * Payloads start with the event id ({@code common_type}, u16); completions and markers are
 * handed to the {@link Handler}, every other event is skipped. Not thread-safe: one per reader.
 */
final class TracePage {
    static final int MISSED_EVENTS_BIT = 31;
    private static final long COMMIT_MASK = (1L << 27) - 1;
    private static final int PADDING = 29;
    private static final int TIME_EXTEND = 30;
    private static final int TIME_STAMP = 31;
    private static final int MAX_DATA_TYPE = 28;
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** What a page holds, event by event, in the order they were recorded on one CPU. */
    interface Handler {
        /** A completed request that may have changed data (W, D or N in rwbs). */
        void completion(long kernelDev, long sector, long nrSectors);

        /** A {@code trace_marker} write, without its trailing newline. */
        void marker(String text);

        /** The kernel lost events of this CPU before this page; called before any of its events. */
        void missedEvents();
    }

    /** Thrown for a page that does not parse: its events (and maybe others) were not seen. */
    static final class MalformedPageException extends Exception {
        MalformedPageException(String message) {
            super(message);
        }
    }

    private final TraceFormat format;
    private int dataBytes;

    TracePage(TraceFormat format) {
        this.format = format;
    }

    /**
     * Parses {@code page[0, limit)} (native order), telling {@code handler} first whether the
     * kernel flagged that events were lost before this page, then each event in order.
     * {@link #dataBytes()} is then the page's event bytes.
     */
    void parse(ByteBuffer page, Handler handler) throws MalformedPageException {
        page.order(ByteOrder.nativeOrder());
        int limit = page.limit();
        if (limit < format.dataOffset()) {
            throw new MalformedPageException("a trace page of " + limit + " bytes, shorter than its header ("
                    + format.dataOffset() + ")");
        }
        long commit = format.commitSize() == 8 ? page.getLong(format.commitOffset())
                : page.getInt(format.commitOffset()) & 0xffffffffL;
        boolean missed = (commit & (1L << MISSED_EVENTS_BIT)) != 0;
        int length = (int) (commit & COMMIT_MASK);
        int end = format.dataOffset() + length;
        if (end > limit) {
            throw new MalformedPageException("a trace page says it holds " + length + " bytes of events, but "
                    + (limit - format.dataOffset()) + " were read");
        }
        dataBytes = length;
        if (missed) {
            handler.missedEvents();
        }
        int pos = format.dataOffset();
        while (pos + 4 <= end) {
            int header = page.getInt(pos);
            int type = LITTLE ? header & 31 : header >>> 27;
            int delta = LITTLE ? header >>> 5 : header & ((1 << 27) - 1);
            int next;
            if (type == PADDING) {
                if (delta == 0) {
                    break;
                }
                next = pos + 4 + lengthWord(page, pos, end);
            } else if (type == TIME_EXTEND || type == TIME_STAMP) {
                next = pos + 8;
            } else if (type == 0) {
                int l = lengthWord(page, pos, end);
                if (l < 4) {
                    throw new MalformedPageException("a trace event of length " + l + " at byte " + pos);
                }
                next = pos + 4 + l;
                event(page, pos + 8, next, handler);
            } else {
                next = pos + 4 + type * 4;
                if (next <= end) {
                    event(page, pos + 4, next, handler);
                }
            }
            if (next > end || next <= pos) {
                throw new MalformedPageException("a trace event at byte " + pos + " (type " + type + ") runs to byte "
                        + next + ", past the page's " + end);
            }
            pos = next;
        }
    }

    private static int lengthWord(ByteBuffer page, int pos, int end) throws MalformedPageException {
        if (pos + 8 > end) {
            throw new MalformedPageException("a trace event at byte " + pos + " lacks its length word");
        }
        return page.getInt(pos + 4);
    }

    private void event(ByteBuffer page, int from, int to, Handler handler) throws MalformedPageException {
        if (to - from < 2) {
            return;
        }
        int id = page.getShort(from) & 0xffff;
        TraceFormat.Completion c = id == format.rqComplete().id() ? format.rqComplete()
                : id == format.bioComplete().id() ? format.bioComplete() : null;
        if (c != null) {
            if (from + c.rwbsOffset() + c.rwbsSize() > to || from + c.sectorOffset() + 8 > to) {
                throw new MalformedPageException("a block completion event of " + (to - from) + " bytes");
            }
            boolean changesData = false;
            for (int i = 0; i < c.rwbsSize(); i++) {
                byte b = page.get(from + c.rwbsOffset() + i);
                if (b == 0) {
                    break;
                }
                changesData |= b == 'W' || b == 'D' || b == 'N';
            }
            long nr = page.getInt(from + c.nrSectorOffset()) & 0xffffffffL;
            if (changesData && nr > 0) {
                long dev = page.getInt(from + c.devOffset()) & 0xffffffffL;
                handler.completion(dev, page.getLong(from + c.sectorOffset()), nr);
            }
        } else if (id == format.printId()) {
            int start = from + format.printBufOffset();
            int stop = start;
            while (stop < to && page.get(stop) != 0) {
                stop++;
            }
            if (stop > start && page.get(stop - 1) == '\n') {
                stop--;
            }
            byte[] text = new byte[Math.max(0, stop - start)];
            page.get(start, text);
            handler.marker(new String(text, StandardCharsets.ISO_8859_1));
        }
    }

    /** The event bytes of the last page parsed. */
    int dataBytes() {
        return dataBytes;
    }
}
