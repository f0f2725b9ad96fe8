package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.replicator.admin.Json;
import io.replicator.source.CutoverResult.FileSystems;
import io.replicator.source.report.ReportJson;
import io.replicator.source.report.ServerReport;
import io.replicator.source.report.VolumeReport;
import io.replicator.source.report.VolumeResult;
import io.replicator.source.report.WaveReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code cutover} prints: for {@code --json} one object, the wave's report ({@code
 * report_schema} 1) with the fields the command-line contract names for one server added
 * ({@code downtime_ms}, {@code final_sync_bytes}, {@code verified}, {@code volumes}, {@code
 * file_systems}, {@code still_frozen}); otherwise lines for people. Stateless.
 */
final class CutoverPrinter {
    private CutoverPrinter() {
    }

    /** The {@code --json} object of a wave that ran. */
    static ObjectNode json(WaveCutover.Result r) {
        WaveReport report = r.report();
        ObjectNode o = ReportJson.toTree(report);
        WaveServer only = r.servers().size() == 1 ? r.servers().get(0) : null;
        JsonNode prepared = only == null ? null : only.prepared;
        Long waveDowntimeMs = report.waveDowntimeMs();
        o.put("downtime_ms", prepared != null && prepared.has("downtime_ms") ? prepared.path("downtime_ms").asLong()
                : waveDowntimeMs == null ? 0 : waveDowntimeMs);
        o.put("final_sync_bytes", report.servers().stream().mapToLong(ServerReport::finalSyncBytes).sum());
        o.put("verified", verified(report));
        if (prepared != null) {
            for (String f : List.of("drain_ms", "barrier_ms", "verify_ms")) {
                if (prepared.has(f)) {
                    o.set(f, prepared.get(f));
                }
            }
        }
        ArrayNode volumes = o.putArray("volumes");
        for (ServerReport s : report.servers()) {
            for (VolumeReport v : s.volumes()) {
                volumes.addObject().put("source", s.source()).put("name", v.name()).put("size_bytes", v.sizeBytes())
                        .put("final_sync_bytes", v.finalSyncBytes()).put("checksum_source", v.checksumSource())
                        .put("checksum_target", v.checksumTarget()).put("result", v.result().toString());
            }
        }
        o.put("file_systems", fileSystems(r.servers()));
        ArrayNode stillFrozen = o.putArray("still_frozen");
        r.servers().forEach(s -> s.stillFrozen().forEach(m -> stillFrozen.add(r.servers().size() == 1 ? m
                : s.member.name() + ":" + m)));
        return o;
    }

    /** Every volume of every server verified equal (and there was at least one). */
    static boolean verified(WaveReport report) {
        List<VolumeReport> all = report.servers().stream().flatMap(s -> s.volumes().stream()).toList();
        return !all.isEmpty() && report.servers().stream().noneMatch(s -> s.volumes().isEmpty())
                && all.stream().allMatch(v -> v.result() == VolumeResult.VERIFIED);
    }

    /** The wave's file systems in one word: the one server's, or the most worrying of them all. */
    private static String fileSystems(List<WaveServer> servers) {
        List<String> order = List.of("still_frozen", "frozen", "thawed", "not_frozen", "none");
        String worst = null;
        for (WaveServer s : servers) {
            String f = s.fileSystems();
            if (f != null && (worst == null || order.indexOf(f) >= 0 && order.indexOf(f) < order.indexOf(worst))) {
                worst = f;
            }
        }
        return worst;
    }

    /** The lines for people. */
    static void print(PrintWriter out, WaveCutover.Result r, List<String> reportFiles) {
        WaveReport report = r.report();
        if (r.oneShot()) {
            WaveServer only = r.servers().get(0);
            JsonNode answer = only.prepared != null ? only.prepared : only.failure;
            printOneShot(out, answer != null ? answer : Json.MAPPER.createObjectNode().put("reason", only.reason),
                    report.ok());
        } else if (report.ok() && r.servers().size() == 1) {
            JsonNode p = r.servers().get(0).prepared;
            String parts = p.has("drain_ms") ? String.format("; drain %d ms, barrier %d ms, verify %d ms",
                    p.path("drain_ms").asLong(), p.path("barrier_ms").asLong(), p.path("verify_ms").asLong()) : "";
            out.printf("cutover ok: downtime %d ms (freeze to verified%s), final sync %s, verification %s, %s%n",
                    report.waveDowntimeMs(), parts, Units.formatBytes(p.path("final_sync_bytes").asLong()),
                    p.path("verification").asText("not said"), report.waveId());
        } else if (report.ok()) {
            out.printf("cutover ok: %s, %d servers, wave downtime %d ms (first freeze to last verified)%n",
                    report.waveId(), report.servers().size(), report.waveDowntimeMs());
        } else {
            out.println("cutover FAILED: " + report.waveId() + ": " + report.failedServer() + " failed: "
                    + report.reason());
        }
        if (!r.oneShot()) {
            for (ServerReport s : report.servers()) {
                printServer(out, s);
            }
            if (report.ok()) {
                out.println("verified and fenced: every volume of every server is durable on its receiver, equal to "
                        + "the source, and sealed there (the receiver takes nothing more from these sources)");
            } else {
                out.println("nothing was sealed by this wave" + (r.servers().size() == 1 ? "" : ": every server was "
                        + "told to thaw") + "; the sources keep replicating; fix the cause and run cutover again");
            }
        } else if (report.ok()) {
            out.println("not fenced: this source's daemon has no two-phase cutover (an older version), so its "
                    + "receiver was not asked to seal the copy");
        }
        for (WaveServer s : r.servers()) {
            if (!s.stillFrozen().isEmpty()) {
                out.println(s.name() + ": STILL FROZEN: " + String.join(", ", s.stillFrozen()) + "; thaw them now "
                        + "on that server: " + thawCommand(s.stillFrozen()));
            }
        }
        out.println("report " + report.waveId() + (reportFiles.isEmpty() ? "" : ": " + String.join(", ", reportFiles))
                + (r.oneShot() ? "" : "; each receiver keeps it ('replicator reports show " + report.waveId()
                + " --admin RECEIVER')"));
    }

    private static void printServer(PrintWriter out, ServerReport s) {
        out.printf("  %-16s %-22s %-8s freeze %8s  final sync %10s  %s  file systems %s%n", s.displayName(), s.admin(),
                s.result(), s.freezeMs() == null ? "-" : s.freezeMs() + " ms", Units.formatBytes(s.finalSyncBytes()),
                s.fenced() ? "fenced" : "not fenced", s.fileSystems() == null ? "unknown" : s.fileSystems());
        if (s.reason() != null) {
            out.println("    " + s.reason());
        }
        for (VolumeReport v : s.volumes()) {
            printVolume(out, v.name(), v.sizeBytes(), v.checksumSource(), v.checksumTarget());
        }
    }

    private static void printVolume(PrintWriter out, String name, long sizeBytes, String source, String target) {
        out.printf("    %-16s %10s  source %s%n    %-16s %10s  target %s%n", name, Units.formatBytes(sizeBytes),
                source == null ? "-" : source, "", "", target == null ? "-" : target);
    }

    /** The one-shot cutover's answer (a daemon's {@code CutoverResult}), for people. */
    static void printOneShot(PrintWriter out, JsonNode r, boolean ok) {
        if (!ok) {
            String reason = r.path("reason").asText("");
            out.println("cutover FAILED: " + (reason.isEmpty() ? "the daemon gave no reason (its log says more)" : reason));
            out.println(fileSystems(r) + "; the source keeps replicating; fix the cause and run cutover again");
            return;
        }
        out.printf("cutover ok: downtime %d ms (drain %d ms, barrier %d ms, verify %d ms), final sync %s%n",
                r.path("downtime_ms").asLong(), r.path("drain_ms").asLong(), r.path("barrier_ms").asLong(),
                r.path("verify_ms").asLong(), Units.formatBytes(r.path("final_sync_bytes").asLong()));
        for (JsonNode v : r.path("volumes")) {
            printVolume(out, v.path("name").asText(), v.path("size_bytes").asLong(),
                    v.path("checksum_source").asText(), v.path("checksum_target").asText());
        }
        out.println("verified: every volume on the target is durable and equal to the source");
        if (!FileSystems.NONE.toString().equals(r.path("file_systems").asText(FileSystems.NONE.toString()))) {
            out.println(fileSystems(r));
        }
    }

    /** What an answer says of the file systems named by --freeze, in words, with the command to thaw what is left. */
    static String fileSystems(JsonNode r) {
        String value = r.path("file_systems").asText("");
        FileSystems fileSystems = Arrays.stream(FileSystems.values()).filter(f -> f.toString().equals(value))
                .findFirst().orElse(null);
        if (fileSystems == null) {
            return "the state of the file systems is unknown (the answer does not say; the source's log does)";
        }
        return switch (fileSystems) {
            case NONE -> "no file system was frozen (no --freeze)";
            case NOT_FROZEN -> "nothing was frozen";
            case THAWED -> "the file systems were frozen and are thawed again";
            case FROZEN -> "the file systems stay frozen: run 'replicator thaw' when the new server has taken over";
            case STILL_FROZEN -> {
                List<String> left = new ArrayList<>();
                r.path("still_frozen").forEach(n -> left.add(n.asText()));
                yield "STILL FROZEN: " + String.join(", ", left) + "; thaw them now: " + thawCommand(left);
            }
        };
    }

    static String thawCommand(List<String> mounts) {
        List<String> commands = new ArrayList<>();
        for (String m : mounts) {
            commands.add("fsfreeze --unfreeze " + m);
        }
        return String.join("; ", commands);
    }
}
