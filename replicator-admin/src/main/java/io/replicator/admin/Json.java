package io.replicator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The one JSON mapper of the admin endpoints and the command line: snake_case field names, as the
 * contract spells them, and enums as their {@code toString()} (the lowercase values of {@code
 * docs/admin-api.md}). Thread-safe.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING);

    /**
     * The version of the admin endpoints' JSON ({@code docs/admin-api.md}), the first field of every
     * answer: fields are only added within a version; one renamed, removed or retyped makes the next.
     */
    public static final int ADMIN_SCHEMA = 2;

    private Json() {
    }

    /** {@code body} as an admin answer: its JSON object with {@code "schema": ADMIN_SCHEMA} first. */
    static byte[] adminAnswer(Object body) throws IOException {
        JsonNode tree = MAPPER.readTree(MAPPER.writeValueAsBytes(body));
        if (!tree.isObject()) {
            return MAPPER.writeValueAsBytes(tree);
        }
        ObjectNode answer = MAPPER.createObjectNode().put("schema", ADMIN_SCHEMA);
        answer.setAll((ObjectNode) tree);
        return MAPPER.writeValueAsBytes(answer);
    }
}
