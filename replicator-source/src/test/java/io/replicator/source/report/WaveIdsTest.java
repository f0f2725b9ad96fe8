package io.replicator.source.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WaveIdsTest {
    @Test
    void shouldNameTheUtcSecondAndFourHexDigits() {
        String id = WaveIds.next(Instant.parse("2026-12-07T09:37:12.987Z"), new Random(42));
        assertTrue(id.startsWith("wave-20261207T093712Z-"), id);
        assertEquals(id, WaveIds.check(id));
    }

    @Test
    void shouldRefuseAnIdThatIsNoSafeFileName() {
        for (String bad : new String[] {"../../etc/passwd", "wave-20261207T093712Z-3f2a/x", "wave-2026-3f2a", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WaveIds.check(bad));
            assertTrue(e.getMessage().startsWith("invalid wave id"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> WaveIds.check(null));
    }
}
