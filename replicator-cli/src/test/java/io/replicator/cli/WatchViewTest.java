package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.admin.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code status --watch}'s frames from given statuses and times between them: bars, rates, ETAs. */
class WatchViewTest {
    private static final long MIB = 1 << 20;

    private static JsonNode status(String state, long synced, long backlog, long sent) throws Exception {
        return Json.MAPPER.readTree("{\"id\":\"web1\",\"state\":\"" + state + "\",\"target\":\"10.0.0.5:7700\","
                + "\"connected\":true,\"volumes\":[{\"name\":\"root\",\"size_bytes\":" + 1000 * MIB
                + ",\"synced_bytes\":" + synced + ",\"backlog_bytes\":" + backlog + ",\"sent_bytes\":" + sent
                + ",\"lag_ms\":1500}]}");
    }

    private static String frame(WatchView view, JsonNode s, long elapsedMs) {
        StringWriter text = new StringWriter();
        view.drawSource(new PrintWriter(text, true), s, elapsedMs);
        return text.toString();
    }

    @Test
    void shouldShowTheInitialSyncsProgressAndItsEtaFromTheCopyRate() throws Exception {
        WatchView view = new WatchView();
        String first = frame(view, status("initial_sync", 100 * MIB, 900 * MIB, 80 * MIB), 0);
        assertTrue(first.contains("[##......................]  10.0%"), first);
        assertTrue(first.lines().toList().get(2).endsWith("-"), "no rate, no ETA from one frame: " + first);
        String second = frame(view, status("initial_sync", 200 * MIB, 800 * MIB, 160 * MIB), 1000);
        assertTrue(second.contains("[####....................]  20.0%"), second);
        assertTrue(second.contains("100.0 MiB/s"), second);
        assertTrue(second.contains("1.5s") || second.contains(" 1s "), second);
        assertTrue(second.lines().toList().get(2).endsWith("8s"), "800 MiB at 100 MiB/s: " + second);
    }

    @Test
    void shouldDrainTheBacklogAtTheSendRateOnceCopied() throws Exception {
        WatchView view = new WatchView();
        frame(view, status("continuous", 1000 * MIB, 600 * MIB, 0), 0);
        String next = frame(view, status("continuous", 1000 * MIB, 600 * MIB, 10 * MIB), 1000);
        assertTrue(next.contains("[########################] 100.0%"), next);
        assertTrue(next.lines().toList().get(2).endsWith("1m00s"), "600 MiB at 10 MiB/s: " + next);
        String idle = frame(view, status("continuous", 1000 * MIB, 0, 10 * MIB), 1000);
        assertTrue(idle.lines().toList().get(2).endsWith("in sync"), idle);
    }

    @Test
    void shouldWriteDurationsAndBarsForPeople() {
        assertEquals("250 ms", WatchView.duration(250));
        assertEquals("59s", WatchView.duration(59_999));
        assertEquals("2m05s", WatchView.duration(125_000));
        assertEquals("3h20m", WatchView.duration(12_000_000));
        assertEquals("-", WatchView.eta(10, 0));
        assertEquals("[" + "#".repeat(WatchView.BAR_WIDTH) + "]", WatchView.bar(5, 0));
        assertEquals("[" + ".".repeat(WatchView.BAR_WIDTH) + "]", WatchView.bar(0, 5));
    }
}
