package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.protocol.text.Rates;
import java.io.IOException;

/**
 * What {@code pause}, {@code resume} and {@code throttle} share: asking a daemon to change how it
 * sends or receives, and the answer in words. Stateless.
 */
final class FlowAnswers {
    private FlowAnswers() {
    }

    /** POSTs {@code body} to {@code path}; a refusal (404 from a receiver, a bad body) is a usage error with its reason. */
    static JsonNode post(AdminOptions options, String path, Object body) {
        JsonNode r;
        try {
            r = options.client().post(path, body, 15_000);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        if ("failed".equals(r.path("result").asText())) {
            throw new Main.UsageException(options.admin + " refused: " + r.path("reason").asText());
        }
        return r;
    }

    /** Refuses a receiver's endpoint for a command that only a source takes. */
    static void requireSource(AdminOptions options, String command) {
        JsonNode status;
        try {
            status = options.client().get("/status", 15_000);
        } catch (IOException e) {
            throw new Main.UsageException(e.getMessage(), e);
        }
        if (StatusCommand.isReceiver(status)) {
            throw new Main.UsageException(options.admin + " is a receiver's admin endpoint; " + command
                    + " acts on a source: give the source's --admin");
        }
    }

    /** {@code none} or {@code 40.0 MB/s (throttle)}. */
    static String limit(JsonNode answer) {
        JsonNode rate = answer.path("max_rate_bytes_per_second");
        if (!rate.isNumber()) {
            return "none";
        }
        String origin = answer.path("max_rate_origin").asText("");
        return Rates.format(rate.asLong()) + (origin.isEmpty() ? "" : " (" + origin + ")");
    }
}
