package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code ./replicator thaw --admin SOURCE}: thaws the file systems a cutover kept frozen ({@code --after keep-frozen}). */
@Command(name = "thaw", mixinStandardHelpOptions = true,
        description = "Thaws the file systems a verified cutover kept frozen (cutover --after keep-frozen).")
final class ThawCommand implements Callable<Integer> {
    private static final long TIMEOUT_MS = 30_000;

    @Mixin
    AdminOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode r = options.post("/thaw", Map.of(), TIMEOUT_MS);
        PrintWriter out = spec.commandLine().getOut();
        boolean ok = "thawed".equals(r.path("result").asText()) && "thawed".equals(r.path("file_systems").asText());
        if (options.json) {
            out.println(r.toString());
        } else if (ok) {
            out.printf("thawed: the file systems were frozen %d ms%n", r.path("freeze_ms").asLong());
        } else {
            out.println("thaw: " + r.path("reason").asText() + ("still_frozen".equals(r.path("file_systems").asText())
                    ? "; STILL FROZEN: " + r.path("still_frozen") + ", run fsfreeze --unfreeze on each" : ""));
        }
        out.flush();
        return ok ? 0 : Main.EXIT_FAILED;
    }
}
