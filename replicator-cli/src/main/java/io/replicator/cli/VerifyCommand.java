package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.source.VerifyOutcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./replicator verify}: compare source and target while replication runs. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Compares every settled block of source and target (SHA-256) while replication runs; "
                + "blocks in flight are skipped, never reported as differences.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    AdminOptions options;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1h", converter = Converters.DurationMs.class,
            description = "Give up (and stop the comparison) after this long (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode r;
        try {
            r = options.client().post("/verify", Map.of("timeout_ms", timeoutMs), timeoutMs + 10_000);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean ok = VerifyOutcome.OK.toString().equals(r.path("result").asText());
        if (options.json) {
            out.println(r.toString());
        } else {
            out.printf("verify: %s: %s%n", r.path("result").asText(), r.path("reason").asText());
            for (JsonNode v : r.path("volumes")) {
                out.printf("  %-16s compared %d, in flight %d, differing %d%s%n", v.path("name").asText(),
                        v.path("chunks_compared").asLong(), v.path("chunks_in_flight").asLong(),
                        v.path("chunks_differing").asLong(),
                        v.path("chunks_differing").asLong() > 0 ? " at " + v.path("first_differing_offsets") : "");
            }
        }
        out.flush();
        return ok ? 0 : Main.EXIT_FAILED;
    }
}
