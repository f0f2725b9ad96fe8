package io.replicator.source.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.replicator.source.Outcome;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a {@link WaveReport}, {@code report_schema} 1: the one place its field names
 * live. Every field is written, in this order, {@code null} for what did not happen; times are
 * ISO-8601 UTC ({@code 2026-12-07T09:37:12.345Z}), sizes and durations integers with their unit in
 * the name. Fields are only added within a schema; a reader ignores fields it does not know and
 * refuses a report of another schema, or one missing a field, naming the field.
 *
 * <pre>
 * { "report_schema": 1, "wave_id", "asked_by", "after", "result", "failed_server", "reason",
 *   "started_utc", "caught_up_utc", "first_freeze_utc", "last_verified_utc", "fenced_utc",
 *   "finished_utc", "wave_downtime_ms",
 *   "servers": [ { "source", "admin", "result", "reason", "phase", "freeze_started_utc",
 *                  "verified_utc", "thawed_utc", "freeze_ms", "fenced", "file_systems",
 *                  "final_sync_bytes", "verification" (added; null or absent: not known),
 *                  "volumes": [ { "name", "size_bytes", "final_sync_bytes", "checksum_source",
 *                                 "checksum_target", "result" } ] } ] }
 * </pre>
 */
public final class ReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {
    }

    /** {@code report} as a JSON tree. */
    public static ObjectNode toTree(WaveReport report) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("report_schema", WaveReport.REPORT_SCHEMA);
        o.put("wave_id", report.waveId());
        o.put("asked_by", report.askedBy());
        o.put("after", report.after().toString());
        o.put("result", report.result().toString());
        o.put("failed_server", report.failedServer());
        o.put("reason", report.reason());
        WaveReport.Phases p = report.phases();
        putTime(o, "started_utc", p.startedUtc());
        putTime(o, "caught_up_utc", p.caughtUpUtc());
        putTime(o, "first_freeze_utc", p.firstFreezeUtc());
        putTime(o, "last_verified_utc", p.lastVerifiedUtc());
        putTime(o, "fenced_utc", p.fencedUtc());
        putTime(o, "finished_utc", p.finishedUtc());
        o.put("wave_downtime_ms", report.waveDowntimeMs());
        ArrayNode servers = o.putArray("servers");
        for (ServerReport s : report.servers()) {
            servers.add(server(s));
        }
        return o;
    }

    /** {@code report} as JSON text, indented, as the receiver keeps it and {@code --report FILE} writes it. */
    public static String write(WaveReport report) {
        try {
            return MAPPER.writeValueAsString(toTree(report)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a report as JSON", e);
        }
    }

    /**
     * The report in {@code json}.
     *
     * @throws IllegalArgumentException when it is not JSON, not of {@code report_schema} 1, or a
     *     field is missing or malformed: the message names it
     */
    public static WaveReport read(String json) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a cutover report is not JSON: " + e.getOriginalMessage(), e);
        }
        return read(tree);
    }

    /** As {@link #read(String)}, from a tree. */
    public static WaveReport read(JsonNode tree) {
        Fields r = new Fields(tree, "");
        int schema = (int) r.integer("report_schema");
        if (schema != WaveReport.REPORT_SCHEMA) {
            throw new IllegalArgumentException("a cutover report of report_schema " + schema + " (this reader knows "
                    + WaveReport.REPORT_SCHEMA + ")");
        }
        WaveReport.Phases phases = new WaveReport.Phases(r.time("started_utc"), r.time("caught_up_utc"),
                r.time("first_freeze_utc"), r.time("last_verified_utc"), r.time("fenced_utc"),
                r.time("finished_utc"));
        List<ServerReport> servers = new ArrayList<>();
        for (Fields s : r.list("servers")) {
            servers.add(server(s));
        }
        return new WaveReport(r.text("wave_id"), r.text("asked_by"),
                AfterCutover.parse(r.text("after")), EnumText.parse(Outcome.values(), r.text("result"), "result"),
                r.textOrNull("failed_server"), r.textOrNull("reason"), phases, servers);
    }

    private static ObjectNode server(ServerReport s) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("source", s.source());
        o.put("admin", s.admin());
        o.put("result", s.result().toString());
        o.put("reason", s.reason());
        o.put("phase", s.phase());
        putTime(o, "freeze_started_utc", s.freezeStartedUtc());
        putTime(o, "verified_utc", s.verifiedUtc());
        putTime(o, "thawed_utc", s.thawedUtc());
        o.put("freeze_ms", s.freezeMs());
        o.put("fenced", s.fenced());
        o.put("file_systems", s.fileSystems());
        o.put("final_sync_bytes", s.finalSyncBytes());
        o.put("verification", s.verification());
        ArrayNode volumes = o.putArray("volumes");
        for (VolumeReport v : s.volumes()) {
            volumes.addObject()
                    .put("name", v.name())
                    .put("size_bytes", v.sizeBytes())
                    .put("final_sync_bytes", v.finalSyncBytes())
                    .put("checksum_source", v.checksumSource())
                    .put("checksum_target", v.checksumTarget())
                    .put("result", v.result().toString());
        }
        return o;
    }

    private static ServerReport server(Fields s) {
        List<VolumeReport> volumes = new ArrayList<>();
        for (Fields v : s.list("volumes")) {
            volumes.add(new VolumeReport(v.text("name"), v.integer("size_bytes"), v.integer("final_sync_bytes"),
                    v.textOrNull("checksum_source"), v.textOrNull("checksum_target"),
                    VolumeResult.parse(v.text("result"))));
        }
        JsonNode freezeMs = s.present("freeze_ms");
        return new ServerReport(s.textOrNull("source"), s.text("admin"), ServerResult.parse(s.text("result")),
                s.textOrNull("reason"), s.textOrNull("phase"), s.time("freeze_started_utc"),
                s.time("verified_utc"), s.time("thawed_utc"), freezeMs.isNull() ? null : s.integer("freeze_ms"),
                s.bool("fenced"), s.textOrNull("file_systems"), s.integer("final_sync_bytes"), volumes,
                s.node().path("verification").isTextual() ? s.node().path("verification").asText() : null);
    }

    private static void putTime(ObjectNode o, String field, Instant t) {
        o.put(field, t == null ? null : t.toString());
    }

    /** One object of a report being read, and its path for messages ({@code servers[1].volumes[0].}). */
    private record Fields(JsonNode node, String path) {
        JsonNode present(String field) {
            if (!node.isObject() || !node.has(field)) {
                throw new IllegalArgumentException("a cutover report lacks " + path + field);
            }
            return node.get(field);
        }

        String text(String field) {
            String t = textOrNull(field);
            if (t == null) {
                throw new IllegalArgumentException("a cutover report has no value in " + path + field);
            }
            return t;
        }

        String textOrNull(String field) {
            JsonNode n = present(field);
            if (n.isNull()) {
                return null;
            }
            if (!n.isTextual()) {
                throw bad(field, n, "text");
            }
            return n.asText();
        }

        long integer(String field) {
            JsonNode n = present(field);
            if (!n.canConvertToExactIntegral() || !n.canConvertToLong()) {
                throw bad(field, n, "an integer");
            }
            return n.asLong();
        }

        boolean bool(String field) {
            JsonNode n = present(field);
            if (!n.isBoolean()) {
                throw bad(field, n, "true or false");
            }
            return n.asBoolean();
        }

        Instant time(String field) {
            String t = textOrNull(field);
            try {
                return t == null ? null : Instant.parse(t);
            } catch (DateTimeParseException e) {
                throw bad(field, present(field), "a UTC time like 2026-12-07T09:37:12.345Z");
            }
        }

        List<Fields> list(String field) {
            JsonNode n = present(field);
            if (!n.isArray()) {
                throw bad(field, n, "a list");
            }
            List<Fields> items = new ArrayList<>();
            for (int i = 0; i < n.size(); i++) {
                items.add(new Fields(n.get(i), path + field + "[" + i + "]."));
            }
            return items;
        }

        private IllegalArgumentException bad(String field, JsonNode value, String expected) {
            String shown = value.toString();
            return new IllegalArgumentException("a cutover report has " + path + field + " = "
                    + (shown.length() > 80 ? shown.substring(0, 80) + "..." : shown) + " (expected: " + expected + ")");
        }
    }
}
