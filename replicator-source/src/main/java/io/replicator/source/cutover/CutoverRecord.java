package io.replicator.source.cutover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.replicator.source.sys.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The source's own note that it was cut over: {@code cutover.json} in its state directory. A source
 * that finds it at start never connects to its receiver again by itself (the receiver holds the
 * seal and would refuse it anyway); {@code POST /release} on the source removes it. The receiver's
 * seal is the authority: a cutover whose record could not be written is learned again from the
 * receiver's {@code CUT_OVER} refusal.
 *
 * <p>Format: one JSON object, {@code {"record": "replicator-cutover", "version": 1, "wave_id",
 * "report_id", "cut_over_utc", "how"}} ({@code how}: {@code sealed} by this source's cutover, or
 * {@code refused} when learned from the receiver's refusal, whose words are in {@code detail}).
 * Written to a temporary file, forced, renamed over the record and the directory forced. Immutable;
 * the static methods are thread-safe.
 */
public record CutoverRecord(String waveId, String reportId, String cutOverUtc, String how, String detail) {
    public static final String FILE_NAME = "cutover.json";
    static final String MAGIC = "replicator-cutover";
    static final int VERSION = 1;
    /** The source's own cutover sealed its volumes on the receiver. */
    public static final String SEALED = "sealed";
    /** The receiver refused the source with CUT_OVER: learned, not made here. */
    public static final String REFUSED = "refused";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The record in {@code stateDir}, or null when there is none; a record that cannot be read fails naming the file. */
    public static CutoverRecord read(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE_NAME);
        JsonNode n;
        try {
            n = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new IOException("the cutover record " + file + " cannot be read (" + e.getMessage() + "); it says "
                    + "this source was cut over: check with the receiver, then remove it to replicate again", e);
        }
        if (n == null || !MAGIC.equals(n.path("record").asText()) || n.path("version").asInt() != VERSION) {
            throw new IOException("the cutover record " + file + " is not a '" + MAGIC + "' record of version "
                    + VERSION + "; check with the receiver, then remove it to replicate again");
        }
        return new CutoverRecord(text(n, "wave_id"), text(n, "report_id"), text(n, "cut_over_utc"), text(n, "how"),
                text(n, "detail"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    /** Writes this record durably into {@code stateDir}. */
    public void write(Path stateDir) throws IOException {
        ObjectNode n = JSON.createObjectNode().put("record", MAGIC).put("version", VERSION).put("wave_id", waveId)
                .put("report_id", reportId).put("cut_over_utc", cutOverUtc).put("how", how).put("detail", detail);
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        DurableFiles.write(stateDir.resolve(FILE_NAME), ByteBuffer.wrap(bytes));
    }

    /** Removes the record from {@code stateDir} durably; true when there was one. */
    public static boolean delete(Path stateDir) throws IOException {
        return DurableFiles.delete(stateDir.resolve(FILE_NAME));
    }
}
