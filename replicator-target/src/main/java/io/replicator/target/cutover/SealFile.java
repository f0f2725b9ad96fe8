package io.replicator.target.cutover;

import io.replicator.target.internal.DurableFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The file {@code DATA_DIR/ID/cutover-seal.json}: source ID was cut over and this receiver takes
 * nothing more from it. One JSON object (UTF-8), readable without the tool:
 *
 * <pre>
 * {
 *   "format": "replicator-cutover-seal",     magic: what this file is
 *   "version": 1,                            the format's version; fields are only added
 *   "source": "web1",                        the source id, the same as the directory's name
 *   "sealed_utc": "2026-12-07T10:41:07.113Z",
 *   "report_id": "wave-20261207T104100Z-3f2a",
 *   "volumes": [ {"name": "root", "path": "/srv/replicas/web1/root.img", "size_bytes": 10737418240} ]
 * }
 * </pre>
 * Written whole and durably (temporary file, force, rename, force the directory) and removed durably
 * on release. A file that is there but cannot be read, or is not such an object, is an error naming
 * the file, never "not sealed": the receiver does not start on it. Stateless.
 */
public final class SealFile {
    public static final String FILE_NAME = "cutover-seal.json";
    public static final String FORMAT = "replicator-cutover-seal";
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SealFile() {
    }

    /** The seal file of the source whose files are in {@code sourceDir}. */
    public static Path path(Path sourceDir) {
        return sourceDir.resolve(FILE_NAME);
    }

    /** Writes {@code seal} into {@code sourceDir} durably. */
    static void write(Path sourceDir, Seal seal) throws IOException {
        ObjectNode root = MAPPER.createObjectNode().put("format", FORMAT).put("version", VERSION)
                .put("source", seal.sourceId()).put("sealed_utc", seal.sealedUtc()).put("report_id", seal.reportId());
        ArrayNode volumes = root.putArray("volumes");
        for (Seal.Volume v : seal.volumes()) {
            volumes.addObject().put("name", v.name()).put("path", v.path()).put("size_bytes", v.sizeBytes());
        }
        Files.createDirectories(sourceDir);
        DurableFiles.write(path(sourceDir), MAPPER.writeValueAsBytes(root));
    }

    /**
     * Reads the seal of source {@code sourceId} from {@code file}.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    static Seal read(Path file, String sourceId) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw unreadable(file, "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw unreadable(file, "not a JSON object");
        }
        if (!FORMAT.equals(root.path("format").asText(null))) {
            throw unreadable(file, String.format("format %s (expected: \"%s\")", root.path("format"), FORMAT));
        }
        if (!root.path("version").isInt() || root.path("version").asInt() != VERSION) {
            throw unreadable(file, String.format("version %s (expected: %d)", root.path("version"), VERSION));
        }
        String source = text(root, "source", file);
        if (!source.equals(sourceId)) {
            throw unreadable(file, String.format("source \"%s\" (expected: \"%s\", the directory's name)", source,
                    sourceId));
        }
        String sealedUtc = text(root, "sealed_utc", file);
        try {
            Instant.parse(sealedUtc);
        } catch (DateTimeParseException e) {
            throw unreadable(file, "sealed_utc \"" + sealedUtc + "\" is not an ISO-8601 UTC time");
        }
        String reportId = text(root, "report_id", file);
        if (!root.path("volumes").isArray()) {
            throw unreadable(file, "no volumes array");
        }
        List<Seal.Volume> volumes = new ArrayList<>();
        for (JsonNode v : root.path("volumes")) {
            if (!v.path("size_bytes").canConvertToLong() || v.path("size_bytes").asLong() < 0) {
                throw unreadable(file, "a volume without a valid size_bytes: " + v);
            }
            volumes.add(new Seal.Volume(text(v, "name", file), text(v, "path", file), v.path("size_bytes").asLong()));
        }
        return new Seal(source, sealedUtc, reportId, volumes);
    }

    private static String text(JsonNode node, String field, Path file) throws IOException {
        if (!node.path(field).isTextual() || node.path(field).asText().isEmpty()) {
            throw unreadable(file, "no " + field);
        }
        return node.path(field).asText();
    }

    private static IOException unreadable(Path file, String problem) {
        return new IOException(String.format("cutover seal file %s is unreadable (%s): the receiver does not start "
                + "rather than take blocks for a source that may have been cut over; restore the file, or remove it "
                + "to lift the seal", file, problem));
    }
}
