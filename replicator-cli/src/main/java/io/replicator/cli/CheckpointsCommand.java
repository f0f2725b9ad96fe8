package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./replicator checkpoints}: the checkpoints a receiver keeps, per source oldest first: id,
 * UTC time, label, freeze time, volumes, bytes since the previous one, and whether a launch can
 * rebuild it or it was pruned.
 */
@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        description = "Lists the checkpoints a receiver keeps (launchable, pending, pruned), oldest first.")
final class CheckpointsCommand implements Callable<Integer> {
    @Mixin
    AdminOptions options;

    @Option(names = "--source", paramLabel = "ID", description = "Only this source's checkpoints.")
    String source;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String path = source == null ? "/checkpoints"
                : "/checkpoints?source=" + URLEncoder.encode(source, StandardCharsets.UTF_8);
        JsonNode r = ReportsCommand.ask(options, path, null);
        PrintWriter out = spec.commandLine().getOut();
        if (!r.has("checkpoints")) {
            spec.commandLine().getErr().println("checkpoints: " + r.path("reason").asText("the answer lists no "
                    + "checkpoints (is --admin the receiver's admin endpoint?)"));
            return Main.EXIT_FAILED;
        }
        if (options.json) {
            out.println(r.toString());
        } else if (r.path("checkpoints").isEmpty()) {
            out.println(source == null ? "no checkpoints are kept on this receiver" : "source " + source
                    + " has no checkpoints on this receiver");
        } else {
            print(out, r.path("checkpoints"));
        }
        out.flush();
        return 0;
    }

    private static void print(PrintWriter out, JsonNode checkpoints) {
        out.printf("%-16s %8s  %-24s %-16s %9s  %12s  %-14s %s%n", "SOURCE", "ID", "TIME (UTC)", "LABEL", "FREEZE",
                "SINCE PREV", "STATE", "VOLUMES");
        for (JsonNode c : checkpoints) {
            List<String> volumes = new ArrayList<>();
            c.path("volumes").forEach(v -> volumes.add(v.asText()));
            String state = c.path("state").asText();
            if (!c.path("reason").asText("").isEmpty() && !"launchable".equals(state)) {
                state += " (" + c.path("reason").asText() + ")";
            }
            out.printf("%-16s %8d  %-24s %-16s %7d ms  %12s  %-14s %s%n", c.path("source").asText(),
                    c.path("id").asLong(), c.path("time").asText(), c.path("label").asText(""),
                    c.path("freeze_ms").asLong(), Units.formatBytes(c.path("bytes_since_previous").asLong()),
                    state, String.join(",", volumes));
        }
    }
}
