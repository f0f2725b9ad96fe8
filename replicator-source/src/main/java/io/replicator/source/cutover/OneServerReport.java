package io.replicator.source.cutover;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.replicator.source.CutoverReportRequest;
import io.replicator.source.CutoverResult;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The report of a one-server cutover ({@code POST /cutover}), kept by the receiver with the seal: a
 * JSON document ({@code report_schema} 1, the same fields a wave's report has, with one server) and
 * a Markdown page an auditor can read without the tool. Immutable; thread-safe.
 */
public final class OneServerReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter WAVE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final String source;
    private final String askedBy;
    private final String waveId;
    private final String startedUtc;

    /** A report of {@code source}'s cutover asked by {@code askedBy}, starting now. */
    public OneServerReport(String source, String askedBy) {
        Instant now = Instant.now();
        this.source = source;
        this.askedBy = askedBy;
        this.startedUtc = now.toString();
        this.waveId = String.format("wave-%s-%04x", WAVE_TIME.format(now), ThreadLocalRandom.current().nextInt(1 << 16));
    }

    public String waveId() {
        return waveId;
    }

    /** The report of the verified cutover {@code r}, to seal with; the file systems are thawed after the seal. */
    public CutoverReportRequest of(CutoverResult r) {
        String finishedUtc = Instant.now().toString();
        ObjectNode doc = JSON.createObjectNode().put("report_schema", 1).put("wave_id", waveId)
                .put("asked_by", askedBy).put("after", "thaw").put("started_utc", startedUtc)
                .put("finished_utc", finishedUtc).put("result", "ok").putNull("failed_server").putNull("reason")
                .put("wave_downtime_ms", r.downtimeMs());
        ArrayNode servers = doc.putArray("servers");
        ObjectNode server = servers.addObject().put("source", source).putNull("admin").put("result", "ok")
                .putNull("reason").put("freeze_ms", r.downtimeMs()).put("fenced", true);
        ArrayNode volumes = server.putArray("volumes");
        StringBuilder md = new StringBuilder()
                .append("# Cutover report ").append(waveId).append("\n\n")
                .append("- Source: ").append(source).append('\n')
                .append("- Asked by: ").append(askedBy).append('\n')
                .append("- Started (UTC): ").append(startedUtc).append('\n')
                .append("- Finished (UTC): ").append(finishedUtc).append('\n')
                .append("- Result: ok, every volume verified equal (SHA-256) and sealed on the receiver\n")
                .append("- Downtime (freeze to verified): ").append(r.downtimeMs()).append(" ms\n")
                .append("- Final sync: ").append(r.finalSyncBytes()).append(" bytes\n\n")
                .append("| Volume | Size (bytes) | SHA-256 on the source | SHA-256 on the receiver | Result |\n")
                .append("| --- | --- | --- | --- | --- |\n");
        for (CutoverResult.Volume v : r.volumes()) {
            volumes.addObject().put("name", v.name()).put("size_bytes", v.sizeBytes())
                    .putNull("final_sync_bytes").put("checksum_source", v.checksumSource())
                    .put("checksum_target", v.checksumTarget()).put("result", "verified");
            md.append("| ").append(v.name()).append(" | ").append(v.sizeBytes()).append(" | ")
                    .append(v.checksumSource()).append(" | ").append(v.checksumTarget()).append(" | verified |\n");
        }
        return new CutoverReportRequest(waveId, waveId, doc.toString(), md.toString(), false, 0);
    }
}
