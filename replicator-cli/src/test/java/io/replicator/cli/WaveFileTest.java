package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WaveFileTest {
    @Test
    void shouldReadServersAndTheirMountPointsSkippingCommentsAndBlankLines() {
        List<WaveMember> wave = WaveFile.parse("wave.txt", List.of("# the shop", "", "127.0.0.1:7701  /  /var/lib/shop",
                "  127.0.0.1:7702\t/srv/pg # the database", "127.0.0.1:7703"));
        assertEquals(3, wave.size());
        assertEquals("127.0.0.1:7701", wave.get(0).name());
        assertEquals(List.of("/", "/var/lib/shop"), wave.get(0).freeze());
        assertEquals(List.of("/srv/pg"), wave.get(1).freeze());
        assertEquals(List.of(), wave.get(2).freeze());
    }

    @Test
    void shouldNameTheLineOfABadAddress() {
        Main.UsageException e = assertThrows(Main.UsageException.class,
                () -> WaveFile.parse("wave.txt", List.of("# x", "127.0.0.1:7701", "web2 /srv")));
        assertEquals("--wave wave.txt line 3: invalid address 'web2' (expected HOST:PORT) (a line is ADMIN_ADDRESS "
                + "[MOUNT_POINT ...])", e.getMessage());
    }

    @Test
    void shouldRefuseARelativeMountPointAndAServerListedTwice() {
        Main.UsageException e = assertThrows(Main.UsageException.class,
                () -> WaveFile.parse("w", List.of("127.0.0.1:7701 srv")));
        assertEquals("--wave w line 1: 'srv' is not an absolute path (expected mount points after the admin address)",
                e.getMessage());
        e = assertThrows(Main.UsageException.class,
                () -> WaveFile.parse("w", List.of("127.0.0.1:7701", "127.0.0.1:7701 /srv")));
        assertEquals("--wave w line 2: 127.0.0.1:7701 is listed twice", e.getMessage());
    }

    @Test
    void shouldRefuseAFileWithNoServer() {
        Main.UsageException e = assertThrows(Main.UsageException.class,
                () -> WaveFile.parse("w", List.of("# nothing yet", "")));
        assertEquals("--wave w: lists no server (expected lines ADMIN_ADDRESS [MOUNT_POINT ...])", e.getMessage());
    }
}
