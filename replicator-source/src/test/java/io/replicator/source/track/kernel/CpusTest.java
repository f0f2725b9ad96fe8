package io.replicator.source.track.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CpusTest {
    @Test
    void shouldParseKernelCpuLists() {
        assertEquals("{0, 1, 2, 3, 8, 10, 11}", Cpus.parseList("0-3,8,10-11").toString());
        assertEquals("{0}", Cpus.parseList("0").toString());
        assertEquals(new BitSet(), Cpus.parseList(""));
        assertThrows(IllegalArgumentException.class, () -> Cpus.parseList("0-x"));
    }

    @Test
    void shouldPinAThreadToEachOnlineCpu() throws Exception {
        String reason = Cpus.unavailableReason();
        assumeTrue(reason == null, () -> "skipped: " + reason);
        BitSet online = Cpus.online();
        assertTrue(online.cardinality() > 0);
        for (int cpu = online.nextSetBit(0); cpu >= 0; cpu = online.nextSetBit(cpu + 1)) {
            int c = cpu;
            int[] ran = new int[1];
            Exception[] failed = new Exception[1];
            Thread t = new Thread(() -> {
                try {
                    Cpus.pinCurrentThread(c);
                    ran[0] = Cpus.current();
                } catch (Exception e) {
                    failed[0] = e;
                }
            });
            t.start();
            t.join();
            if (failed[0] != null) {
                throw failed[0];
            }
            assertEquals(cpu, ran[0]);
        }
    }
}
