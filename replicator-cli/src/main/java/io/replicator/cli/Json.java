package io.replicator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The one JSON mapper of the command line: snake_case field names, as the contract spells them, and
 * enums as their {@code toString()} (the lowercase values of {@code docs/admin-api.md}, e.g. {@link
 * io.replicator.source.Outcome}). Thread-safe.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING);

    private Json() {
    }
}
