package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.replicator.admin.Json;
import io.replicator.source.SourceState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a running source and receiver export on {@code /metrics}, scraped from real daemon processes
 * (mutual TLS, loopback): the names and labels against the golden list {@code metrics.golden}
 * (also listed in docs/operations.md), Prometheus conventions, one state series per
 * {@link SourceState}; and every metric the shipped alert rules and dashboard name is one of them.
 * Also draws two frames of {@code status --watch} against the same source.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MetricsExportTest {
    private static final Path MONITORING = Path.of("..", "replicator-dist", "src", "dist", "monitoring");
    private static final Path OPERATIONS = Path.of("..", "docs", "operations.md");
    private static final Pattern METRIC_NAME = Pattern.compile("\\breplicator_[a-z0-9_]+");

    @TempDir
    Path dir;

    @Test
    void shouldExportTheGoldenMetricsThatTheRulesAndTheDashboardUse() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 8L << 20, 3);
        try (ProcessReplication r = new ProcessReplication(dir, volume)) {
            r.startTarget();
            r.startSource();
            r.awaitInSync(120_000);
            // The status reaches the metrics once a second: wait for a sample that says connected and continuous.
            Exposition source = Exposition.scrape(r.sourceAdmin);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (source.stateValue("replicator_source_state", "continuous") != 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                source = Exposition.scrape(r.sourceAdmin);
            }
            Exposition target = Exposition.scrape(r.targetAdmin);

            TreeSet<String> exported = new TreeSet<>(source.families("replicator_"));
            exported.addAll(target.families("replicator_"));
            List<String> golden = Files.readAllLines(Path.of("src/test/resources/metrics.golden")).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            assertEquals(String.join("\n", golden), String.join("\n", exported),
                    "metric families (name type labels) against src/test/resources/metrics.golden");

            for (Exposition e : List.of(source, target)) {
                assertConventions(e);
            }
            for (SourceState s : SourceState.values()) {
                assertEquals(s == SourceState.CONTINUOUS ? 1.0 : 0.0, source.stateValue("replicator_source_state",
                        s.toString()), "state series " + s);
            }
            assertEquals(1.0, source.single("replicator_source_connected"));
            assertEquals(8L << 20, (long) source.single("replicator_source_size_bytes"));
            assertEquals(8L << 20, (long) source.single("replicator_source_synced_bytes"));
            assertEquals(1.0, target.single("replicator_target_source_connected"));
            assertTrue(target.single("replicator_target_source_durable_bytes_total") >= 8L << 20, "durable bytes");

            TreeSet<String> samples = source.sampleNames();
            samples.addAll(target.sampleNames());
            assertNamesExported(rulesExpressions(), samples, "replicator-rules.yml");
            assertNamesExported(dashboardExpressions(), samples, "replicator-dashboard.json");
            String operations = Files.readString(OPERATIONS);
            for (String line : golden) {
                String family = line.substring(0, line.indexOf(' '));
                assertTrue(operations.contains("`" + family), "docs/operations.md lists " + family);
            }

            assertWatchDraws(r.sourceAdmin);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + logs(), e);
        }
    }

    private String logs() {
        try {
            return String.join("\n", Files.readAllLines(dir.resolve("source.log")));
        } catch (java.io.IOException e) {
            return "(no source log: " + e + ")";
        }
    }

    /** Help text on every family, {@code _total} on every counter, no unit twice in a name. */
    private static void assertConventions(Exposition e) {
        for (Map.Entry<String, String> f : e.types.entrySet()) {
            String name = f.getKey();
            String help = e.help.getOrDefault(name, "");
            assertFalse(help.isBlank() || help.equals(name), name + " has help text: '" + help + "'");
            for (String unit : List.of("bytes", "seconds", "total", "acks", "errors", "connections", "sources")) {
                assertTrue(name.indexOf("_" + unit) == name.lastIndexOf("_" + unit), name + " says " + unit + " once");
            }
            if (f.getValue().equals("counter")) {
                String sample = name.endsWith("_total") ? name : name + "_total";
                assertTrue(e.samples.stream().anyMatch(s -> s.name().equals(sample)), name + ": a counter's samples "
                        + "end in _total");
            }
        }
    }

    private static void assertNamesExported(List<String> expressions, TreeSet<String> samples, String file) {
        assertFalse(expressions.isEmpty(), file + " has expressions");
        for (String expr : expressions) {
            Matcher m = METRIC_NAME.matcher(expr);
            boolean any = false;
            while (m.find()) {
                any = true;
                assertTrue(samples.contains(m.group()), file + ": '" + m.group() + "' in '" + expr
                        + "' is exported by neither daemon; they export " + samples);
            }
            assertTrue(any || expr.contains("up{"), file + ": '" + expr + "' names a replicator metric");
        }
    }

    private static List<String> rulesExpressions() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(MONITORING.resolve("replicator-rules.yml").toFile());
        List<String> exprs = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertTrue(rule.path("alert").isTextual() && rule.path("annotations").path("summary").isTextual(),
                        "every rule is an alert with a summary: " + rule);
                exprs.add(rule.path("expr").asText());
            }
        }
        return exprs;
    }

    private static List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard = Json.MAPPER.readTree(MONITORING.resolve("replicator-dashboard.json").toFile());
        return dashboard.findValues("expr").stream().map(JsonNode::asText).collect(Collectors.toList());
    }

    /** Two frames of {@code status --watch}: the screen cleared before each, the volume copied and in sync. */
    private static void assertWatchDraws(String admin) throws Exception {
        CommandLine cl = Main.commandLine();
        StringWriter text = new StringWriter();
        cl.setOut(new PrintWriter(text, true));
        cl.parseArgs("status", "--admin", admin, "--watch");
        StatusCommand status = cl.getSubcommands().get("status").getCommand();
        status.watch(2);
        String frames = text.toString();
        assertEquals(2, frames.split(Pattern.quote(WatchView.CLEAR), -1).length - 1, frames);
        assertTrue(frames.contains("[" + "#".repeat(WatchView.BAR_WIDTH) + "] 100.0%"), frames);
        assertTrue(frames.contains("in sync"), frames);
        assertTrue(frames.contains("source " + ProcessReplication.SOURCE_ID + "  state continuous"), frames);
    }
}
