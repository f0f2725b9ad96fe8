package io.replicator.protocol.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RatesTest {
    @Test
    void shouldReadRatesAsAdminsWriteThem() {
        assertEquals(40_000_000, Rates.parseBytesPerSecond("40MB/s"));
        assertEquals(10L << 20, Rates.parseBytesPerSecond("10MiB/s"));
        assertEquals(25_000_000, Rates.parseBytesPerSecond("200Mbit"));
        assertEquals(25_000_000, Rates.parseBytesPerSecond("200Mbit/s"));
        assertEquals(125_000_000, Rates.parseBytesPerSecond("1Gbit"));
        assertEquals(500_000, Rates.parseBytesPerSecond("500KB/s"));
        assertEquals(1_500_000, Rates.parseBytesPerSecond("1.5MB/s"));
        assertEquals(4096, Rates.parseBytesPerSecond("4096"));
    }

    @Test
    void shouldRefuseWhatIsNotARateNamingIt() {
        for (String bad : new String[] {"fast", "", "0", "-5MB/s", "10MiBit", "40 MB/h"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Rates.parseBytesPerSecond(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void shouldWriteRatesInDecimalUnits() {
        assertEquals("40.0 MB/s", Rates.format(40_000_000));
        assertEquals("512 B/s", Rates.format(512));
        assertEquals("1.5 GB/s", Rates.format(1.5e9));
    }
}
