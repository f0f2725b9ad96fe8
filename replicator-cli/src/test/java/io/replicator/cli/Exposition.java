package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.replicator.admin.AdminToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daemon's {@code /metrics} answer (Prometheus text format 0.0.4), parsed: each family's type and
 * help, and each sample's name, labels and value. Immutable once parsed.
 */
final class Exposition {
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    final Map<String, String> types = new LinkedHashMap<>();
    final Map<String, String> help = new HashMap<>();
    final List<Sample> samples;

    Exposition(String text) {
        List<Sample> parsed = new java.util.ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("# TYPE ")) {
                String[] f = line.split(" ", 4);
                types.put(f[2], f[3]);
            } else if (line.startsWith("# HELP ")) {
                String[] f = line.split(" ", 4);
                help.put(f[2], f.length > 3 ? f[3] : "");
            } else if (!line.isBlank() && !line.startsWith("#")) {
                Matcher m = SAMPLE.matcher(line);
                if (!m.matches()) {
                    throw new AssertionError("not a sample line: " + line);
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(3) != null) {
                    Matcher l = LABEL.matcher(m.group(3));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                parsed.add(new Sample(m.group(1), labels, value(m.group(4))));
            }
        }
        samples = List.copyOf(parsed);
    }

    /** A sample's value: a Go float as the text format writes it, {@code +Inf}, {@code -Inf} or {@code NaN} included. */
    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** GETs {@code /metrics} of the admin endpoint on loopback {@code hostPort}, with its token. */
    static Exposition scrape(String hostPort) throws IOException {
        int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        HttpURLConnection c = (HttpURLConnection) new URL("http://" + hostPort + "/metrics").openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        String token = AdminToken.read(port);
        if (token != null) {
            c.setRequestProperty("Authorization", AdminToken.HEADER_PREFIX + token);
        }
        try (InputStream in = c.getInputStream()) {
            return new Exposition(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** The value of {@code name}'s sample labelled {@code state} (the highest when several), NaN when none. */
    double stateValue(String name, String state) {
        return samples.stream().filter(s -> s.name().equals(name) && state.equals(s.labels().get("state")))
                .mapToDouble(Sample::value).max().orElse(Double.NaN);
    }

    /** The value of {@code name}'s one sample; fails when there is not exactly one. */
    double single(String name) {
        List<Sample> found = samples.stream().filter(s -> s.name().equals(name)).toList();
        assertEquals(1, found.size(), name + ": " + found);
        return found.get(0).value();
    }

    /** Every sample name ({@code _bucket}, {@code _sum}, ... included). */
    TreeSet<String> sampleNames() {
        TreeSet<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /**
     * One line a family: {@code NAME TYPE LABEL,LABEL,...} (its samples' label names, sorted, less
     * {@code le}), for the families whose name starts with {@code prefix}.
     */
    TreeSet<String> families(String prefix) {
        TreeSet<String> lines = new TreeSet<>();
        for (Map.Entry<String, String> f : types.entrySet()) {
            if (!f.getKey().startsWith(prefix)) {
                continue;
            }
            TreeSet<String> labels = new TreeSet<>();
            for (Sample s : samples) {
                if (s.name().equals(f.getKey()) || s.name().startsWith(f.getKey() + "_")
                        && Arrays.asList("_bucket", "_count", "_sum", "_total", "_created")
                        .contains(s.name().substring(f.getKey().length()))) {
                    labels.addAll(s.labels().keySet());
                }
            }
            labels.remove("le");
            lines.add((f.getKey() + " " + f.getValue() + " " + String.join(",", labels)).strip());
        }
        return lines;
    }
}
