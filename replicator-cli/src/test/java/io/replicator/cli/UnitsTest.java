package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class UnitsTest {
    @Test
    void shouldParseHumanSizes() {
        assertEquals(4096, Units.parseSizeBytes("4096"));
        assertEquals(64 << 10, Units.parseSizeBytes("64KiB"));
        assertEquals(32L << 20, Units.parseSizeBytes("32MiB"));
        assertEquals(1L << 30, Units.parseSizeBytes("1GiB"));
        assertEquals(2L << 40, Units.parseSizeBytes("2T"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSizeBytes("-1"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSizeBytes("99999999999TiB"));
    }

    @Test
    void shouldParseHumanDurations() {
        assertEquals(500, Units.parseDurationMs("500ms"));
        assertEquals(30_000, Units.parseDurationMs("30s"));
        assertEquals(300_000, Units.parseDurationMs("5m"));
        assertEquals(3_600_000, Units.parseDurationMs("1h"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMs("soon"));
    }

    @Test
    void shouldRefuseADurationWithoutItsUnitNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMs("5"));
        assertEquals("invalid duration '5': a number needs a unit (5ms, 5s, 5m or 5h)", e.getMessage());
    }

    @Test
    void shouldFormatBytes() {
        assertEquals("12 B", Units.formatBytes(12));
        assertEquals("1.5 KiB", Units.formatBytes(1536));
        assertEquals("2.0 GiB", Units.formatBytes(2L << 30));
    }
}
