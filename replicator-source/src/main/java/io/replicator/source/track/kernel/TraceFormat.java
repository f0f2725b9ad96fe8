package io.replicator.source.track.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where things are in the binary pages of {@code trace_pipe_raw}, as this kernel describes them
 * in tracefs: the page header ({@code events/header_page}) and the fields of the three events the
 * tracker reads ({@code events/block/block_rq_complete/format}, {@code block_bio_complete} and
 * {@code ftrace/print}, the marker). Read once at start; immutable, so thread-safe.
 *
 * @param commitOffset   offset of the page's commit word: the bytes of events in the page, with the
 *                       lost-events flag in bit {@value TracePage#MISSED_EVENTS_BIT}
 * @param commitSize     4 or 8
 * @param dataOffset     where the first event of a page starts
 * @param rqComplete     {@code block:block_rq_complete}
 * @param bioComplete    {@code block:block_bio_complete}
 * @param printId        the event id of {@code ftrace:print} (a {@code trace_marker} write)
 * @param printBufOffset where the marker's text starts in a print event
 */
public record TraceFormat(int commitOffset, int commitSize, int dataOffset, Completion rqComplete,
        Completion bioComplete, int printId, int printBufOffset) {

    private static final Pattern FIELD = Pattern.compile("field:([^;]*);\\s*offset:(\\d+);\\s*size:(\\d+);");
    private static final int MAX_FORMAT_BYTES = 64 * 1024;
    private static final Pattern ID = Pattern.compile("(?m)^ID:\\s*(\\d+)\\s*$");

    /** A block completion event: its id and where its fields are (dev 4 bytes, sector 8, nr_sector 4). */
    public record Completion(int id, int devOffset, int sectorOffset, int nrSectorOffset, int rwbsOffset, int rwbsSize) {
    }

    public TraceFormat {
        if (commitSize != 4 && commitSize != 8) {
            throw new IllegalArgumentException("page header commit field of " + commitSize + " bytes (expected: 4 or 8)");
        }
    }

    /** Reads the formats under {@code events}, the events directory of tracefs or of an instance. */
    public static TraceFormat read(Path events) throws IOException {
        Map<String, int[]> page = fields(read(events, "header_page"));
        int[] commit = require(page, "commit", events.resolve("header_page"));
        int[] data = require(page, "data", events.resolve("header_page"));
        String print = read(events, "ftrace/print/format");
        int[] buf = require(fields(print), "buf", events.resolve("ftrace/print/format"));
        return new TraceFormat(commit[0], commit[1], data[0], completion(events, "block_rq_complete"),
                completion(events, "block_bio_complete"), id(print, events.resolve("ftrace/print/format")), buf[0]);
    }

    /** Parses the text of one event's {@code format} file (split out for tests). */
    static Completion completion(String format, Path where) throws IOException {
        Map<String, int[]> f = fields(format);
        int[] dev = require(f, "dev", where);
        int[] sector = require(f, "sector", where);
        int[] nr = require(f, "nr_sector", where);
        int[] rwbs = require(f, "rwbs", where);
        if (dev[1] != 4 || sector[1] != 8 || nr[1] != 4) {
            throw new IOException(where + ": dev, sector, nr_sector are " + dev[1] + ", " + sector[1] + ", " + nr[1]
                    + " bytes (expected: 4, 8, 4)");
        }
        return new Completion(id(format, where), dev[0], sector[0], nr[0], rwbs[0], rwbs[1]);
    }

    private static Completion completion(Path events, String name) throws IOException {
        Path file = events.resolve("block").resolve(name).resolve("format");
        return completion(read(events, "block/" + name + "/format"), file);
    }

    /** Field name to {offset, size}; the name is the declaration's last word without any [N]. */
    static Map<String, int[]> fields(String format) {
        Map<String, int[]> out = new HashMap<>();
        Matcher m = FIELD.matcher(format);
        while (m.find()) {
            String decl = m.group(1).trim();
            int bracket = decl.indexOf('[');
            if (bracket >= 0) {
                decl = decl.substring(0, bracket).trim();
            }
            String name = decl.substring(decl.lastIndexOf(' ') + 1);
            out.put(name, new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
        }
        return out;
    }

    private static int id(String format, Path where) throws IOException {
        Matcher m = ID.matcher(format);
        if (!m.find()) {
            throw new IOException(where + " has no ID line");
        }
        return Integer.parseInt(m.group(1));
    }

    private static int[] require(Map<String, int[]> fields, String name, Path where) throws IOException {
        int[] f = fields.get(name);
        if (f == null) {
            throw new IOException(where + " has no field '" + name + "' (fields: " + fields.keySet() + ")");
        }
        return f;
    }

    /** In one read: some of these files (header_page) answer only a read at offset 0. */
    private static String read(Path events, String file) throws IOException {
        try (FileChannel in = FileChannel.open(events.resolve(file), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(MAX_FORMAT_BYTES);
            while (buf.hasRemaining() && in.read(buf) > 0) {
                // a seq file gives the rest on later reads
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException("cannot read the trace format " + events.resolve(file) + ": " + e, e);
        }
    }
}
