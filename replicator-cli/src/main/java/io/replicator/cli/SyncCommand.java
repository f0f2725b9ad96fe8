package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.source.Outcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./replicator sync}: rescan now and wait until every change is durable on the target. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Rescans the volumes now and returns when everything changed is durable on the target.")
final class SyncCommand implements Callable<Integer> {
    @Mixin
    AdminOptions options;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1h", converter = Converters.DurationMs.class,
            description = "Give up waiting after this long (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode r;
        try {
            r = options.client().post("/sync", Map.of("timeout_ms", timeoutMs), timeoutMs + 10_000);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean ok = Outcome.OK.toString().equals(r.path("result").asText());
        if (options.json) {
            out.println(r.toString());
        } else if (ok) {
            out.printf("in sync: %s sent, durable up to sequence %d, %d ms%n",
                    Units.formatBytes(r.path("sent_bytes").asLong()), r.path("durable_sequence").asLong(),
                    r.path("duration_ms").asLong());
        } else {
            out.println("sync failed: " + r.path("reason").asText());
        }
        out.flush();
        return ok ? 0 : Main.EXIT_FAILED;
    }
}
