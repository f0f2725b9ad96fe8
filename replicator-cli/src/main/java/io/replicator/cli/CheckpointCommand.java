package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.protocol.wire.Checkpoint;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./replicator checkpoint --admin SOURCE [--freeze MNT]... [--label TEXT] [--json]}: a consistent
 * checkpoint of every volume of one source, journaled on its receiver. Exit 0 when the receiver kept it, 1
 * when it failed or was refused (the answer says why; nothing stays frozen), 2 for a bad flag.
 */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = {"A consistent checkpoint of every volume of a source, kept by its receiver: catch up, run "
                + "the daemon's --pre-freeze hook, freeze the file systems only while what changed is read into "
                + "memory, thaw, run --post-thaw, send, wait for the receiver. Needs a receiver that keeps history "
                + "(--journal-dir)."})
final class CheckpointCommand implements Callable<Integer> {
    /** The daemon bounds a checkpoint at ten minutes; the client waits a little longer. */
    private static final long TIMEOUT_MS = 630_000;

    @Mixin
    AdminOptions options;

    @Option(names = "--freeze", paramLabel = "MNT",
            description = "Freeze this file system (fsfreeze) while the checkpoint captures. Repeatable. Without it "
                    + "the daemon freezes its own --freeze defaults.")
    List<Path> freeze = new ArrayList<>();

    @Option(names = "--label", paramLabel = "TEXT",
            description = "A label kept with the checkpoint (at most " + Checkpoint.MAX_LABEL_BYTES + " bytes).")
    String label;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (label != null && label.getBytes(StandardCharsets.UTF_8).length > Checkpoint.MAX_LABEL_BYTES) {
            throw new Main.UsageException("--label is " + label.getBytes(StandardCharsets.UTF_8).length
                    + " bytes (expected: at most " + Checkpoint.MAX_LABEL_BYTES + ")");
        }
        List<String> mounts = new ArrayList<>();
        for (Path p : freeze) {
            mounts.add(p.toAbsolutePath().normalize().toString());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("freeze", mounts);
        if (label != null) {
            body.put("label", label);
        }
        JsonNode r = options.post("/checkpoint", body, TIMEOUT_MS);
        PrintWriter out = spec.commandLine().getOut();
        boolean ok = "ok".equals(r.path("result").asText());
        if (options.json) {
            out.println(r.toString());
        } else if (ok) {
            out.printf("checkpoint %d%s at %s: frozen %d ms, %d bytes captured, %s%n", r.path("id").asLong(),
                    r.path("label").asText("").isEmpty() ? "" : " (" + r.path("label").asText() + ")",
                    r.path("time").asText(), r.path("freeze_ms").asLong(), r.path("capture_bytes").asLong(),
                    r.path("launchable").asBoolean() ? "launchable" : "NOT launchable: " + r.path("reason").asText());
        } else {
            out.println("checkpoint " + r.path("result").asText("failed") + ": " + r.path("reason").asText());
        }
        if (!r.path("post_thaw").isMissingNode() && !r.path("post_thaw").isNull() && !options.json) {
            out.println("warning: " + r.path("post_thaw").asText());
        }
        out.flush();
        return ok ? 0 : Main.EXIT_FAILED;
    }
}
