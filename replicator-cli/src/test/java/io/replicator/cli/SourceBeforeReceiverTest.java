package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source daemon started while its receiver is down does not exit: it keeps trying with backoff,
 * says {@code disconnected} and why in {@code status}, and replicates once the receiver comes up.
 * Both daemons are real processes talking mutual TLS on loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SourceBeforeReceiverTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepTryingAndReplicateOnceTheReceiverComesUp() throws Exception {
        Path volume = dir.resolve("disk0.img");
        MixedImage.write(volume, 8L << 20, 5);
        try (ProcessReplication p = new ProcessReplication(dir, volume)) {
            p.startSource();
            JsonNode waiting = p.awaitStatus("disconnected with a reason",
                    s -> "disconnected".equals(s.path("state").asText()) && s.path("last_error").isTextual(), 30_000);
            assertFalse(waiting.path("connected").asBoolean(), waiting::toString);
            assertTrue(waiting.path("last_error").asText().contains("Connection refused"), waiting::toString);
            assertTrue(waiting.path("failed_attempts").asInt() >= 1, waiting::toString);
            assertTrue(p.source.isAlive(), "the source keeps running");
            p.startTarget();
            JsonNode synced = p.awaitInSync(60_000);
            assertEquals(synced.path("size_bytes").asLong(), synced.path("synced_bytes").asLong(), synced::toString);
            assertEquals("continuous", p.status().path("state").asText());
            Replication.assertSameBytes(volume, p.targetImage());
        }
    }
}
