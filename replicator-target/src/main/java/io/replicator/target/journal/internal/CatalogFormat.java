package io.replicator.target.journal.internal;

import io.replicator.target.journal.CheckpointInfo;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The checkpoint catalogue's file: UTF-8 text, a header line, then one line per change of a
 * checkpoint (the last line of an id wins), fields separated by tabs:
 *
 * <pre>
 * RCKP 1
 * crc32c  id  timeMs  freezeMs  bytesSincePrevious  undoPosition  state  volumes  label  reason
 * </pre>
 *
 * {@code crc32c} (8 hex digits) covers the rest of the line after its tab; numbers are decimal;
 * {@code state} a {@link CheckpointInfo.State} name; {@code volumes} the names URL-encoded and joined
 * by commas; {@code label} and {@code reason} URL-encoded. A line that fails its CRC or does not parse
 * (a crash tore it) is skipped and reported. Stateless.
 */
public final class CatalogFormat {
    public static final String MAGIC = "RCKP";
    public static final int VERSION = 1;
    public static final String HEADER = MAGIC + " " + VERSION + "\n";
    private static final int BODY_FIELDS = 9;

    /** What a file held: its whole entries (last of each id, in order), the lines read, what was wrong. */
    public record Parsed(List<CheckpointInfo> entries, int lines, String damage) {
    }

    private CatalogFormat() {
    }

    /** The line recording {@code info}, with its newline. */
    public static String line(CheckpointInfo info) {
        String body = String.join("\t", Long.toString(info.checkpointId()), Long.toString(info.timeMs()),
                Long.toString(info.freezeMs()), Long.toString(info.bytesSincePrevious()),
                Long.toString(info.undoPosition()), info.state().name(),
                String.join(",", info.volumes().stream().map(CatalogFormat::encode).toList()), encode(info.label()),
                encode(info.reason()));
        return String.format("%08x\t%s\n", crc(body), body);
    }

    /** Reads a catalogue file's text; {@code where} names it in messages. */
    public static Parsed parse(String text, String sourceId, String where) throws IOException {
        String[] lines = text.split("\n", -1);
        if (lines.length == 0 || !lines[0].startsWith(MAGIC + " ")) {
            throw new IOException(String.format("checkpoint catalogue %s does not start with '%s' (is it "
                    + "one?)", where, MAGIC));
        }
        int version;
        try {
            version = Integer.parseInt(lines[0].substring(MAGIC.length() + 1).trim());
        } catch (NumberFormatException e) {
            throw new IOException("checkpoint catalogue " + where + ": invalid header '" + lines[0] + "'");
        }
        if (version > VERSION) {
            throw new IOException(String.format("checkpoint catalogue %s is version %d (expected: at most "
                    + "%d)", where, version, VERSION));
        }
        LinkedHashMap<Long, CheckpointInfo> byId = new LinkedHashMap<>();
        List<String> damage = new ArrayList<>();
        int read = 0;
        boolean complete = text.endsWith("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (i == lines.length - 1 && !complete) {
                damage.add("line " + (i + 1) + " is cut short");
                continue;
            }
            CheckpointInfo info = parseLine(line, sourceId);
            if (info == null) {
                damage.add("line " + (i + 1) + " fails its check");
                continue;
            }
            byId.put(info.checkpointId(), info); // an update keeps the checkpoint's place
            read++;
        }
        return new Parsed(new ArrayList<>(byId.values()), read, String.join(", ", damage));
    }

    private static CheckpointInfo parseLine(String line, String sourceId) {
        int tab = line.indexOf('\t');
        if (tab != 8) {
            return null;
        }
        String body = line.substring(tab + 1);
        try {
            if ((int) Long.parseLong(line.substring(0, tab), 16) != crc(body)) {
                return null;
            }
            String[] f = body.split("\t", -1);
            if (f.length != BODY_FIELDS) {
                return null;
            }
            List<String> volumes = f[6].isEmpty() ? List.of()
                    : Arrays.stream(f[6].split(",", -1)).map(CatalogFormat::decode).toList();
            return new CheckpointInfo(sourceId, Long.parseLong(f[0]), Long.parseLong(f[1]), decode(f[7]),
                    Long.parseLong(f[2]), volumes, Long.parseLong(f[3]), Long.parseLong(f[4]),
                    CheckpointInfo.State.valueOf(f[5]), decode(f[8]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int crc(String body) {
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
