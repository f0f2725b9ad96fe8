package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.protocol.text.Rates;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./replicator throttle --admin ADDR RATE|off}: changes a bandwidth limit at once. On a
 * source it limits the bytes it puts on the wire (replacing its --max-rate and schedule until the
 * next throttle or a restart); on a receiver the bytes it takes from all sources together, shared
 * equally among them.
 */
@Command(name = "throttle", mixinStandardHelpOptions = true,
        description = "Changes a source's or a receiver's bandwidth limit at once, without a restart: RATE like "
                + "40MB/s, 10MiB/s or 200Mbit, or off.")
final class ThrottleCommand implements Callable<Integer> {
    @Mixin
    AdminOptions options;

    @Parameters(index = "0", paramLabel = "RATE|off", description = "The new limit on bytes on the wire, or off.")
    String rate;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        long bytesPerSecond;
        if ("off".equalsIgnoreCase(rate)) {
            bytesPerSecond = 0;
        } else {
            try {
                bytesPerSecond = Rates.parseBytesPerSecond(rate);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException(e.getMessage() + " or off", e);
            }
        }
        Map<String, Object> body = new HashMap<>();
        body.put("max_rate_bytes_per_second", bytesPerSecond);
        JsonNode r = FlowAnswers.post(options, "/throttle", body);
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            out.println(r.toString());
        } else if (r.has("paused")) {
            out.println("source limit now " + FlowAnswers.limit(r) + (r.path("paused").asBoolean()
                    ? "; sending is paused" : ""));
        } else {
            out.println("receiver limit over all sources now " + FlowAnswers.limit(r) + ", shared equally among "
                    + "the sources sending");
        }
        out.flush();
        return 0;
    }
}
