package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./replicator release}: lifts a cutover's seal on purpose. Against a receiver ({@code --source
 * ID} required) it takes that source's blocks again, over the volumes it names; against a source
 * daemon the daemon forgets its cutover and resumes replication.
 */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Lifts a cutover's seal on purpose (to rehearse a migration again): a receiver (--source ID) "
                + "takes the source's changes again, written over the volumes it names; a source daemon resumes "
                + "replicating.")
final class ReleaseCommand implements Callable<Integer> {
    @Mixin
    AdminOptions options;

    @Option(names = "--source", paramLabel = "ID",
            description = "The source whose seal a receiver lifts; required against a receiver.")
    String source;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, Object> request = new LinkedHashMap<>();
        if (source != null) {
            request.put("source", source);
        }
        JsonNode r;
        try {
            r = options.client().post("/release", request, 30_000);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        boolean failed = r.path("result").asText().equals("failed") || r.path("result").asText().equals("refused");
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            out.println(r.toString());
        } else if (failed) {
            out.println("release FAILED: " + r.path("reason").asText("the daemon gave no reason (its log says more)"));
        } else {
            print(out, r);
        }
        out.flush();
        return failed ? Main.EXIT_FAILED : 0;
    }

    /** What was released and what the source's next changes will be written over. */
    private static void print(PrintWriter out, JsonNode r) {
        String who = r.path("source").isTextual() ? "source " + r.path("source").asText() : "the source";
        out.printf("released the cutover seal of %s%s%n", who, r.path("sealed_utc").isTextual()
                ? " (cut over at " + r.path("sealed_utc").asText() + ", report " + r.path("report_id").asText("-") + ")"
                : "");
        if (r.path("volumes").isEmpty()) {
            out.println(r.path("reason").asText("replication resumes"));
            return;
        }
        out.println("the source's next changes will be written over these:");
        for (JsonNode v : r.path("volumes")) {
            out.printf("  %-16s %10s  %s%n", v.path("name").asText(), Units.formatBytes(v.path("size_bytes").asLong()),
                    v.path("path").asText(""));
        }
    }
}
