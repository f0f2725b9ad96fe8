package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.source.CutoverResult.FileSystems;
import io.replicator.source.Outcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./replicator cutover}: the final sync, with proof. Exit 0 only when every volume verified equal. */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = "Final sync: freeze, drain, barrier, verify every block on both sides, thaw, report the downtime.")
final class CutoverCommand implements Callable<Integer> {
    @Mixin
    AdminOptions options;

    @Option(names = "--freeze", paramLabel = "MOUNTPOINT",
            description = "Freeze this file system (fsfreeze) for the final sync. Repeatable.")
    List<Path> freeze = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = Converters.DurationMs.class,
            description = "Fail (and thaw) when the final sync takes longer (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (timeoutMs <= 0) {
            throw new Main.UsageException("invalid --timeout " + timeoutMs + " ms (expected: > 0)");
        }
        List<String> mounts = new ArrayList<>();
        for (Path p : freeze) {
            if (!Files.isDirectory(p)) {
                throw new Main.UsageException("--freeze " + p + ": not a directory (expected a mount point)");
            }
            mounts.add(p.toAbsolutePath().normalize().toString());
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("freeze", mounts);
        request.put("timeout_ms", timeoutMs);
        JsonNode r;
        try {
            r = options.client().post("/cutover", request, timeoutMs + 90_000);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage() + (mounts.isEmpty() ? ""
                    : "; the file systems named by --freeze may be frozen until the source's freeze guard thaws them, "
                    + "at the latest " + timeoutMs + " ms after the cutover started; if one still is after that, run "
                    + thawCommand(mounts)), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean ok = Outcome.OK.toString().equals(r.path("result").asText()) && r.path("verified").asBoolean();
        if (options.json) {
            out.println(r.toString());
        } else {
            print(out, r, ok);
        }
        out.flush();
        return ok ? 0 : Main.EXIT_FAILED;
    }

    static void print(PrintWriter out, JsonNode r, boolean ok) {
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
            out.printf("  %-16s %10s  source %s%n  %-16s %10s  target %s%n", v.path("name").asText(),
                    Units.formatBytes(v.path("size_bytes").asLong()), v.path("checksum_source").asText(), "", "",
                    v.path("checksum_target").asText());
        }
        out.println("verified: every volume on the target is durable and equal to the source");
        if (!FileSystems.NONE.toString().equals(r.path("file_systems").asText(FileSystems.NONE.toString()))) {
            out.println(fileSystems(r));
        }
    }

    /** What the answer says of the file systems named by --freeze, in words, with the command to thaw what is left. */
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

    private static String thawCommand(List<String> mounts) {
        List<String> commands = new ArrayList<>();
        for (String m : mounts) {
            commands.add("fsfreeze --unfreeze " + m);
        }
        return String.join("; ", commands);
    }
}
