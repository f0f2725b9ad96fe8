package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./replicator reports}: the cutover reports a receiver keeps, as a table; {@code reports show ID}: one. */
@Command(name = "reports", mixinStandardHelpOptions = true, subcommands = ReportsCommand.Show.class,
        description = "Lists the cutover reports a receiver keeps (every cutover, single or wave, leaves one).")
final class ReportsCommand implements Callable<Integer> {
    static final long TIMEOUT_MS = 30_000;

    @Mixin
    AdminOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode r = ask(options, "/reports", null);
        if (!r.has("reports")) {
            throw new Main.UsageException(r.path("reason").asText("the answer lists no reports")
                    + " (is --admin the receiver's admin endpoint?)");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            out.println(r.toString());
        } else if (r.path("reports").isEmpty()) {
            out.println("no cutover reports are kept on this receiver");
        } else {
            out.printf("%-36s %-24s %-8s %s%n", "ID", "FINISHED (UTC)", "RESULT", "SOURCES");
            for (JsonNode report : r.path("reports")) {
                List<String> sources = new ArrayList<>();
                report.path("sources").forEach(s -> sources.add(s.asText()));
                out.printf("%-36s %-24s %-8s %s%n", report.path("id").asText(), report.path("created_utc").asText(),
                        report.path("result").asText("-"), String.join(", ", sources));
            }
        }
        out.flush();
        return 0;
    }

    /** Asks the endpoint of {@code options}: GET {@code path}, or POST {@code body} when there is one. */
    static JsonNode ask(AdminOptions options, String path, Object body) {
        try {
            return body == null ? options.client().get(path, TIMEOUT_MS) : options.client().post(path, body, TIMEOUT_MS);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
    }

    /** {@code reports show ID}: one report, as the Markdown page kept with it, or its JSON. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints one cutover report: its Markdown page, or its JSON with --json.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID", description = "The report's id (as 'reports' lists them).")
        String id;

        @Mixin
        AdminOptions options;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode r = ask(options, "/report", Map.of("id", id));
            PrintWriter out = spec.commandLine().getOut();
            if (!r.has("report")) {
                spec.commandLine().getErr().println("reports show: " + r.path("reason").asText("no such report"));
                return Main.EXIT_FAILED;
            }
            if (options.json) {
                out.println(r.path("report").toString());
            } else {
                out.print(r.path("markdown").asText());
            }
            out.flush();
            return 0;
        }
    }
}
