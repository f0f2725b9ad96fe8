package io.replicator.admin;

import com.fasterxml.jackson.databind.JsonNode;

/** The body of a {@code /throttle} request, the same on both daemons. Stateless and thread-safe. */
public final class RateLimitBody {
    private RateLimitBody() {
    }

    /**
     * The body's {@code max_rate_bytes_per_second}: a limit in bytes per second, or 0 or null for
     * none; IllegalArgumentException (a 400) when it is missing, negative or not an integer.
     */
    public static long maxRateBytesPerSecond(JsonNode body) {
        JsonNode r = body.path("max_rate_bytes_per_second");
        if (r.isNull()) {
            return 0;
        }
        if (r.isMissingNode() || !r.canConvertToExactIntegral() || r.asLong() < 0) {
            throw new IllegalArgumentException("invalid max_rate_bytes_per_second: " + (r.isMissingNode() ? "missing"
                    : r.toString()) + " (expected: bytes per second, 0 or null for no limit)");
        }
        return r.asLong();
    }
}
