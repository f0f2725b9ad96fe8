package io.replicator.source.track.kernel;

/**
 * One line of {@code trace_pipe}, parsed: a completed block request or bio on device
 * {@code major:minor} covering {@code nrSectors} sectors from {@code sector}, or a marker. Parsing
 * allocates nothing but the marker's text. Not thread-safe: one per reader.
 *
 * <pre>
 *  kworker/0:1-14 [000] ..s.. 12086.184166: block_rq_complete: 7,0 WS () 40 + 8 be,0,4 [0]
 *  dmcrypt-7      [001] ..... 12090.000001: block_bio_complete: 253,0 W 2048 + 8 [0]
 *  java-4242      [001] ..... 12091.000002: tracing_mark_write: replicator-sync-17
 * </pre>
 */
final class BlockEvent {
    private static final String RQ = "block_rq_complete: ";
    private static final String BIO = "block_bio_complete: ";
    private static final String MARK = "tracing_mark_write: ";

    int major;
    int minor;
    long sector;
    long nrSectors;
    String marker;

    /** Parses {@code line}; returns false when it is neither a block completion nor a marker. */
    boolean parse(String line) {
        marker = null;
        int at = line.indexOf(RQ);
        int start;
        if (at >= 0) {
            start = at + RQ.length();
        } else if ((at = line.indexOf(BIO)) >= 0) {
            start = at + BIO.length();
        } else if ((at = line.indexOf(MARK)) >= 0) {
            marker = line.substring(at + MARK.length()).trim();
            return true;
        } else {
            return false;
        }
        int comma = line.indexOf(',', start);
        int space = line.indexOf(' ', start);
        if (comma < 0 || space < comma) {
            return false;
        }
        int plus = line.indexOf(" + ", space);
        if (plus < 0) {
            return false;
        }
        int sectorStart = line.lastIndexOf(' ', plus - 1) + 1;
        int nrEnd = line.indexOf(' ', plus + 3);
        long maj = digits(line, start, comma);
        long min = digits(line, comma + 1, space);
        long sec = digits(line, sectorStart, plus);
        long nr = digits(line, plus + 3, nrEnd < 0 ? line.length() : nrEnd);
        if (maj < 0 || min < 0 || sec < 0 || nr < 0) {
            return false;
        }
        major = (int) maj;
        minor = (int) min;
        sector = sec;
        nrSectors = nr;
        return true;
    }

    /** The unsigned decimal in {@code [from, to)}, or -1 when there is none or it overflows. */
    private static long digits(String s, int from, int to) {
        if (from >= to || to - from > 19) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
