package io.replicator.target.cutover;

import io.replicator.target.internal.DurableFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ProtocolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The cutover reports a receiver keeps: {@code DATA_DIR/reports/ID.json} (the report as the source
 * sent it, one JSON object) and {@code ID.md} (the same for people), ID being the report's id (the
 * wave's). Each is written durably, the Markdown first, so that a {@code .json} file is there only
 * once both are; a report whose id is already stored is kept as it is (every source of a wave sends
 * the same one). The JSON is read for listing only: {@code wave_id}, {@code finished_utc}, {@code
 * result} and {@code servers[].source}; nothing else of it is interpreted. Writes are serialized on
 * this object's monitor; thread-safe.
 */
public final class ReportStore {
    public static final String DIR_NAME = "reports";
    static final String JSON_SUFFIX = ".json";
    static final String MARKDOWN_SUFFIX = ".md";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dir;

    ReportStore(Path dataDir) {
        this.dir = dataDir.resolve(DIR_NAME);
    }

    public Path dir() {
        return dir;
    }

    /** One stored report in a listing. {@code result} is null when the report does not say. */
    public record Summary(String id, String createdUtc, String result, List<String> sources) {
    }

    /** One stored report whole: its JSON and its Markdown. */
    public record Stored(String id, JsonNode report, String markdown) {
    }

    /**
     * The report's JSON, which must be one JSON object.
     *
     * @throws ProtocolException MALFORMED_FRAME naming the report and what is wrong
     */
    static JsonNode parse(String reportId, String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format("cutover report %s: its json is "
                    + "not JSON (%s)", reportId, e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, String.format("cutover report %s: its json is "
                    + "not a JSON object (expected: the report as one object)", reportId));
        }
        return node;
    }

    /** Stores the report durably unless one with its id is there; returns false when it was kept instead. */
    synchronized boolean store(String reportId, String json, String markdown) throws IOException {
        CutoverReport.checkReportId(reportId);
        Path jsonFile = dir.resolve(reportId + JSON_SUFFIX);
        if (Files.exists(jsonFile)) {
            return false;
        }
        Files.createDirectories(dir);
        DurableFiles.write(dir.resolve(reportId + MARKDOWN_SUFFIX), markdown.getBytes(StandardCharsets.UTF_8));
        DurableFiles.write(jsonFile, json.getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /** Every stored report, oldest first (by the time it finished, else by when it was stored). */
    public List<Summary> list() throws IOException {
        List<Summary> reports = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return reports;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + JSON_SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                reports.add(summary(name.substring(0, name.length() - JSON_SUFFIX.length()), file));
            }
        }
        reports.sort(Comparator.comparing(Summary::createdUtc).thenComparing(Summary::id));
        return reports;
    }

    /**
     * The report {@code reportId}, empty when none is stored.
     *
     * @throws IllegalArgumentException when {@code reportId} is not a valid report id
     */
    public Optional<Stored> read(String reportId) throws IOException {
        try {
            CutoverReport.checkReportId(reportId);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Path jsonFile = dir.resolve(reportId + JSON_SUFFIX);
        if (!Files.exists(jsonFile)) {
            return Optional.empty();
        }
        JsonNode report = MAPPER.readTree(Files.readAllBytes(jsonFile));
        Path md = dir.resolve(reportId + MARKDOWN_SUFFIX);
        String markdown = Files.exists(md) ? Files.readString(md, StandardCharsets.UTF_8) : "";
        return Optional.of(new Stored(reportId, report, markdown));
    }

    private static Summary summary(String id, Path file) throws IOException {
        String stored = Files.getLastModifiedTime(file).toInstant().toString();
        JsonNode report;
        try {
            report = MAPPER.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            return new Summary(id, stored, null, List.of());
        }
        List<String> sources = new ArrayList<>();
        for (JsonNode server : report.path("servers")) {
            if (server.path("source").isTextual()) {
                sources.add(server.path("source").asText());
            }
        }
        String created = report.path("finished_utc").isTextual() ? report.path("finished_utc").asText() : stored;
        String result = report.path("result").isTextual() ? report.path("result").asText() : null;
        return new Summary(id, created, result, sources);
    }
}
