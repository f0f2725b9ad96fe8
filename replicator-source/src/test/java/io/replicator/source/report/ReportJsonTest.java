package io.replicator.source.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReportJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void shouldReadBackEveryFieldOfAnOkWave() {
        WaveReport report = Reports.okWave();
        assertEquals(report, ReportJson.read(ReportJson.write(report)));
    }

    @Test
    void shouldReadBackEveryFieldOfAFailedWaveWithWhatDidNotHappenAsNull() {
        WaveReport report = Reports.failedWave();
        WaveReport back = ReportJson.read(ReportJson.write(report));
        assertEquals(report, back);
        assertNull(back.servers().get(1).freezeMs());
        assertNull(back.phases().lastVerifiedUtc());
    }

    @Test
    void shouldWriteTheSchemaFirstAndTheFieldsTheDesignNames() throws Exception {
        JsonNode tree = MAPPER.readTree(ReportJson.write(Reports.okWave()));
        assertEquals("report_schema", tree.fieldNames().next());
        assertEquals(1, tree.path("report_schema").asInt());
        assertEquals("wave-20261207T093958Z-3f2a", tree.path("wave_id").asText());
        assertEquals("ops-admin", tree.path("asked_by").asText());
        assertEquals("thaw", tree.path("after").asText());
        assertEquals("ok", tree.path("result").asText());
        assertTrue(tree.path("failed_server").isNull());
        assertEquals("2026-12-07T09:40:01.050Z", tree.path("first_freeze_utc").asText());
        assertEquals(1550, tree.path("wave_downtime_ms").asLong(), "first freeze 01.050 to last verified 02.600");
        JsonNode db1 = tree.path("servers").get(1);
        assertEquals("db1", db1.path("source").asText());
        assertEquals(1710, db1.path("freeze_ms").asLong());
        assertTrue(db1.path("fenced").asBoolean());
        JsonNode pgdata = db1.path("volumes").get(0);
        assertEquals(17_179_869_184L, pgdata.path("size_bytes").asLong());
        assertEquals(4_194_304, pgdata.path("final_sync_bytes").asLong());
        assertEquals(Reports.SHA_B, pgdata.path("checksum_source").asText());
        assertEquals(Reports.SHA_B, pgdata.path("checksum_target").asText());
        assertEquals("verified", pgdata.path("result").asText());
    }

    @Test
    void shouldCountNoWaveDowntimeForAFailedWave() throws Exception {
        JsonNode tree = MAPPER.readTree(ReportJson.write(Reports.failedWave()));
        assertTrue(tree.path("wave_downtime_ms").isNull());
        assertEquals("db1", tree.path("failed_server").asText());
        assertEquals("keep-frozen", tree.path("after").asText());
        assertEquals("aborted", tree.path("servers").get(0).path("result").asText());
    }

    @Test
    void shouldIgnoreFieldsAddedLater() throws Exception {
        ObjectNode tree = (ObjectNode) MAPPER.readTree(ReportJson.write(Reports.okWave()));
        tree.put("added_later", 7);
        ((ObjectNode) tree.path("servers").get(0)).put("added_later", "x");
        assertEquals(Reports.okWave(), ReportJson.read(tree));
    }

    @Test
    void shouldRefuseAnotherSchemaNamingIt() throws Exception {
        ObjectNode tree = (ObjectNode) MAPPER.readTree(ReportJson.write(Reports.okWave()));
        tree.put("report_schema", 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportJson.read(tree));
        assertTrue(e.getMessage().contains("report_schema 2"), e.getMessage());
    }

    @Test
    void shouldNameTheMissingFieldWithItsPath() throws Exception {
        ObjectNode tree = (ObjectNode) MAPPER.readTree(ReportJson.write(Reports.okWave()));
        ((ObjectNode) tree.path("servers").get(1).path("volumes").get(0)).remove("size_bytes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportJson.read(tree));
        assertEquals("a cutover report lacks servers[1].volumes[0].size_bytes", e.getMessage());
    }

    @Test
    void shouldNameAMalformedFieldAndWhatWasExpected() throws Exception {
        ObjectNode tree = (ObjectNode) MAPPER.readTree(ReportJson.write(Reports.okWave()));
        tree.put("started_utc", "yesterday");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportJson.read(tree));
        assertTrue(e.getMessage().contains("started_utc = \"yesterday\""), e.getMessage());
        tree.put("started_utc", "2026-12-07T09:39:58Z");
        tree.put("after", "freeze-forever");
        e = assertThrows(IllegalArgumentException.class, () -> ReportJson.read(tree));
        assertEquals("invalid after: 'freeze-forever' (expected: thaw, keep-frozen)", e.getMessage());
    }

    @Test
    void shouldRefuseTextThatIsNotJson() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportJson.read("{\"wave"));
        assertTrue(e.getMessage().startsWith("a cutover report is not JSON"), e.getMessage());
    }
}
