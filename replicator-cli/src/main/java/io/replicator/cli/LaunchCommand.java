package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./replicator launch}: has a receiver build every volume of a source as it was at a
 * checkpoint, into new images ({@code --out DIR}: {@code DIR/NAME.img}) or onto devices ({@code --map
 * NAME=DEVICE}), while replication goes on; prints each volume's path, how it was copied and the time.
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = "Builds a source's volumes as they were at a checkpoint, on the receiver, into new writable "
                + "images (--out DIR: DIR/NAME.img) or devices (--map NAME=DEVICE), while replication goes on.")
final class LaunchCommand implements Callable<Integer> {
    /** A launch copies whole volumes: it may take a while. */
    static final long TIMEOUT_MS = 6 * 3600_000L;

    @Mixin
    AdminOptions options;

    @Option(names = "--source", paramLabel = "ID", required = true, description = "The source whose volumes to build.")
    String source;

    @Option(names = "--checkpoint", paramLabel = "ID|latest", required = true,
            description = "The checkpoint: its id (replicator checkpoints lists them), or latest.")
    String checkpoint;

    @Option(names = "--out", paramLabel = "DIR",
            description = "A directory on the receiver's machine, outside its data and journal directories, where "
                    + "each volume becomes DIR/NAME.img (never overwritten).")
    Path out;

    @Option(names = "--map", paramLabel = "NAME=DEVICE",
            description = "Write volume NAME onto block device DEVICE of the receiver's machine instead (at least the "
                    + "volume's size; not one the receiver replicates onto). Repeatable.")
    Map<String, String> map = new LinkedHashMap<>();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (out == null && map.isEmpty()) {
            throw new Main.UsageException("launch needs --out DIR or --map NAME=DEVICE");
        }
        if (!"latest".equals(checkpoint) && !checkpoint.matches("[0-9]{1,19}")) {
            throw new Main.UsageException("--checkpoint " + checkpoint + " is neither a checkpoint id nor latest");
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("source", source);
        request.put("checkpoint", checkpoint);
        if (out != null) {
            request.put("out", out.toAbsolutePath().normalize().toString());
        }
        if (!map.isEmpty()) {
            request.put("map", map);
        }
        JsonNode r;
        try {
            r = options.client().post("/launch", request, TIMEOUT_MS);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        boolean ok = "ok".equals(r.path("result").asText());
        PrintWriter w = spec.commandLine().getOut();
        if (options.json) {
            w.println(r.toString());
        } else if (!ok) {
            w.println("launch FAILED: " + r.path("reason").asText("the receiver gave no reason (its log says more)"));
        } else {
            w.printf("launched checkpoint %d of %s (%s%s) in %d ms%n", r.path("checkpoint").asLong(),
                    r.path("source").asText(), r.path("checkpoint_utc").asText(),
                    r.path("label").asText("").isEmpty() ? "" : ", " + r.path("label").asText(),
                    r.path("time_ms").asLong());
            for (JsonNode v : r.path("volumes")) {
                w.printf("  %-16s %-8s %10s  %6d ms  %s%n", v.path("name").asText(), v.path("method").asText(),
                        Units.formatBytes(v.path("bytes").asLong()), v.path("time_ms").asLong(), v.path("path").asText());
            }
        }
        w.flush();
        return ok ? 0 : Main.EXIT_FAILED;
    }
}
