package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code ./replicator pause --admin SOURCE}: a source stops sending and goes on tracking what
 * changes; {@link Resume} ({@code ./replicator resume}) sends again, only what changed.
 */
@Command(name = "pause", mixinStandardHelpOptions = true,
        description = "Stops a source sending: changes are still tracked and pile up in the backlog until resume.")
class PauseCommand implements Callable<Integer> {
    @Mixin
    AdminOptions options;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** {@code ./replicator resume}. */
    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "A paused source sends again: only what changed while it was paused (and what was not yet sent).")
    static final class Resume extends PauseCommand {
        @Override
        String route() {
            return "/resume";
        }

        @Override
        String done() {
            return "resumed: sending";
        }
    }

    String route() {
        return "/pause";
    }

    String done() {
        return "paused: nothing is sent until 'replicator resume'";
    }

    @Override
    public Integer call() {
        String command = spec.name();
        FlowAnswers.requireSource(options, command);
        JsonNode r = FlowAnswers.post(options, route(), Map.of());
        PrintWriter out = spec.commandLine().getOut();
        out.println(options.json ? r.toString() : done() + "; limit " + FlowAnswers.limit(r));
        out.flush();
        return 0;
    }
}
