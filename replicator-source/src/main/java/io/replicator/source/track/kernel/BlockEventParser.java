package io.replicator.source.track.kernel;

import java.nio.charset.StandardCharsets;

/**
 * Reads one line of {@code trace_pipe} text, in place and without allocating. The lines it knows:
 * <pre>
 *  COMM-PID [CPU] FLAGS TIMESTAMP: block_rq_complete: MAJ,MIN RWBS (CMD) SECTOR + NR IOPRIO [ERR]
 *  COMM-PID [CPU] FLAGS TIMESTAMP: block_bio_complete: MAJ,MIN RWBS SECTOR + NR [ERR]
 *  COMM-PID [CPU] FLAGS TIMESTAMP: tracing_mark_write: TEXT
 *  CPU:N [LOST COUNT EVENTS]
 * </pre>
 * The event name is the first {@code ": NAME: "} of the line: the task name (COMM) is at most 15
 * characters, shorter than any of these needles, and the fields between it and the event name
 * have fixed forms, so nothing before the event can match. After {@link #parse} returns, the fields of
 * that line are read with the getters until the next call.
 *
 * <p>Not thread-safe: one per reader thread.
 */
public final class BlockEventParser {
    /** What a line was. */
    public enum Kind { COMPLETION, MARKER, LOST, OTHER }

    private static final byte[] RQ_COMPLETE = ascii(": block_rq_complete: ");
    private static final byte[] BIO_COMPLETE = ascii(": block_bio_complete: ");
    private static final byte[] MARK_WRITE = ascii(": tracing_mark_write: ");
    private static final byte[] LOST_START = ascii("CPU:");
    private static final byte[] LOST_WORD = ascii("[LOST ");

    private byte[] line;
    private int major;
    private int minor;
    private int rwbsFrom;
    private int rwbsTo;
    private boolean changesData;
    private long sector;
    private long nrSectors;
    private int textFrom;
    private int textTo;
    private long lostCount;
    private int pos;

    /** Parses {@code line[from, to)} (without the newline). */
    public Kind parse(byte[] line, int from, int to) {
        this.line = line;
        if (regionMatches(line, from, to, LOST_START)) {
            int lost = indexOf(line, from, to, LOST_WORD);
            if (lost < 0) {
                return Kind.OTHER;
            }
            pos = lost + LOST_WORD.length;
            lostCount = number(to);
            return lostCount < 0 ? Kind.OTHER : Kind.LOST;
        }
        for (int at = from; at + 1 < to; at++) {
            if (line[at] != ':' || line[at + 1] != ' ') {
                continue;
            }
            if (regionMatches(line, at, to, RQ_COMPLETE)) {
                pos = at + RQ_COMPLETE.length;
                return completion(to, true) ? Kind.COMPLETION : Kind.OTHER;
            }
            if (regionMatches(line, at, to, BIO_COMPLETE)) {
                pos = at + BIO_COMPLETE.length;
                return completion(to, false) ? Kind.COMPLETION : Kind.OTHER;
            }
            if (regionMatches(line, at, to, MARK_WRITE)) {
                textFrom = at + MARK_WRITE.length;
                textTo = to;
                return Kind.MARKER;
            }
        }
        return Kind.OTHER;
    }

    /** Convenience for tests and tools: parses a String line. */
    public Kind parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return parse(bytes, 0, bytes.length);
    }

    private boolean completion(int to, boolean rq) {
        long maj = number(to);
        if (maj < 0 || !expect(',', to)) {
            return false;
        }
        long min = number(to);
        if (min < 0 || !expect(' ', to)) {
            return false;
        }
        rwbsFrom = pos;
        changesData = false;
        while (pos < to && line[pos] != ' ') {
            byte c = line[pos++];
            changesData |= c == 'W' || c == 'D' || c == 'N';
        }
        rwbsTo = pos;
        if (rwbsTo == rwbsFrom || !expect(' ', to)) {
            return false;
        }
        if (rq) {
            if (!skipCommand(to)) {
                return false;
            }
        }
        long sec = number(to);
        if (sec < 0 || !expect(' ', to) || !expect('+', to) || !expect(' ', to)) {
            return false;
        }
        long nr = number(to);
        if (nr < 0 || maj > 0xfff || min > 0xfffff) {
            return false;
        }
        major = (int) maj;
        minor = (int) min;
        sector = sec;
        nrSectors = nr;
        return true;
    }

    /** Skips {@code (CMD) }; a passthrough command prints hex bytes with spaces, so the last ") " before the sector ends it. */
    private boolean skipCommand(int to) {
        if (!expect('(', to)) {
            return false;
        }
        while (pos + 1 < to && !(line[pos] == ')' && line[pos + 1] == ' ')) {
            pos++;
        }
        pos += 2;
        return pos < to;
    }

    /** An unsigned decimal at pos (at most 20 digits; 18446744073709551615 wraps to -1), or -1 when there is none. */
    private long number(int to) {
        int start = pos;
        long value = 0;
        while (pos < to && line[pos] >= '0' && line[pos] <= '9' && pos - start < 20) {
            value = value * 10 + (line[pos++] - '0');
        }
        return pos == start ? -1 : value;
    }

    private boolean expect(char c, int to) {
        if (pos < to && line[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }

    private static boolean regionMatches(byte[] line, int at, int to, byte[] needle) {
        if (to - at < needle.length) {
            return false;
        }
        for (int j = 0; j < needle.length; j++) {
            if (line[at + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] line, int from, int to, byte[] needle) {
        for (int i = from; i <= to - needle.length; i++) {
            if (regionMatches(line, i, to, needle)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }

    /** The device number as trace filters compare it: {@code (major << 20) | minor}. */
    public long kernelDev() {
        return ((long) major << 20) | minor;
    }

    /** The operation letters (W write, D discard, R read, F flush/FUA, S sync, M meta, N other); allocates. */
    public String rwbs() {
        return new String(line, rwbsFrom, rwbsTo - rwbsFrom, StandardCharsets.US_ASCII);
    }

    /** Whether the operation may have changed data: a write, discard or other non-read (write-zeroes). */
    public boolean changesData() {
        return changesData;
    }

    public long sector() {
        return sector;
    }

    public long nrSectors() {
        return nrSectors;
    }

    /** Whether the marker text starts with {@code prefix} (compared in place). */
    public boolean markerStartsWith(byte[] prefix) {
        return regionMatches(line, textFrom, textTo, prefix);
    }

    /** The marker's text; allocates. */
    public String markerText() {
        return new String(line, textFrom, textTo - textFrom, StandardCharsets.ISO_8859_1);
    }

    /** The number that follows {@code prefix} in the marker text, or -1 when there is none. */
    public long markerNumber(int prefixLength) {
        pos = textFrom + prefixLength;
        return number(textTo);
    }

    public long lostCount() {
        return lostCount;
    }
}
