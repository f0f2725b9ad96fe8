package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a verified cutover nothing more is written to the sealed copy, whatever restarts: a real
 * receiver and source daemon (processes, mutual TLS on 127.0.0.1) cut over; the source is killed and
 * started again while its volume is being written, once with its own record of the cutover and once
 * without it (as if lost), and the receiver is killed and started again. The image's SHA-256 never
 * changes, the receiver logs its refusal, the source says {@code cut_over}; {@code release} on both
 * sides reopens replication and the copy catches up.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CutoverSealEndToEndTest {
    private static final long VOLUME_BYTES = 16L << 20;
    private static final long TIMEOUT_MS = 60_000;
    private static final String WAVE = "wave-20261207T104100Z-e2e1";

    @TempDir
    Path dir;

    private ProcessReplication r;
    private Path volume;

    @RegisterExtension
    final AfterTestExecutionCallback printLogsOnFailure = context -> {
        if (context.getExecutionException().isPresent() && r != null) {
            System.out.println(r.logs());
        }
    };

    @BeforeEach
    void writeVolume() throws IOException {
        volume = dir.resolve("disk0.img");
        MixedImage.write(volume, VOLUME_BYTES, 5);
        r = new ProcessReplication(dir, volume);
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        r.close();
    }

    @Test
    void shouldWriteNothingMoreToTheSealedCopyAcrossRestartsUntilReleasedOnBothSides() throws Exception {
        r.startTarget();
        r.startSource();
        r.awaitInSync(TIMEOUT_MS);
        cutOver();
        Path seal = dir.resolve("data").resolve(ProcessReplication.SOURCE_ID).resolve("cutover-seal.json");
        assertTrue(Files.exists(seal), "the receiver sealed the source");
        String sealedImage = sha256(r.targetImage());

        try (Replication.Writer writer = new Replication.Writer(volume, 9)) {
            r.source.kill9();
            r.startSource();
            awaitCutOverAndWritesSeen();
            assertEquals(sealedImage, sha256(r.targetImage()), "a restarted source wrote over the sealed copy");

            restartSourceWithoutItsRecord();
            assertEquals(sealedImage, sha256(r.targetImage()), "a source without its record wrote over the copy");

            r.target.kill9();
            r.startTarget();
            r.target.awaitLog("source web1 is sealed: cut over at", TIMEOUT_MS);
            restartSourceWithoutItsRecord();
            assertEquals(sealedImage, sha256(r.targetImage()), "the receiver's restart reopened the sealed copy");
        }

        CliRun receiver = CliRun.run("release", "--admin", r.targetAdmin, "--source", ProcessReplication.SOURCE_ID);
        assertEquals(0, receiver.exit(), receiver::out);
        assertTrue(receiver.out().contains(r.targetImage().toString()), receiver.out());
        CliRun source = CliRun.run("release", "--admin", r.sourceAdmin);
        assertEquals(0, source.exit(), source::out);
        r.awaitInSync(TIMEOUT_MS);
        r.sync();
        Replication.assertSameBytes(volume, r.targetImage());
    }

    /** Prepare and commit the source's cutover with a report of its own, as a wave of one does. */
    private void cutOver() throws IOException {
        AdminClient client = new AdminClient(new InetSocketAddress("127.0.0.1",
                Integer.parseInt(r.sourceAdmin.substring(r.sourceAdmin.indexOf(':') + 1))), null);
        Map<String, Object> prepare = new LinkedHashMap<>();
        prepare.put("wave_id", WAVE);
        prepare.put("freeze", List.of());
        prepare.put("timeout_ms", TIMEOUT_MS);
        JsonNode prepared = client.post("/cutover/prepare", prepare, TIMEOUT_MS + 10_000);
        assertEquals("verified", prepared.path("result").asText(), prepared::toString);
        Map<String, Object> commit = new LinkedHashMap<>();
        commit.put("wave_id", WAVE);
        commit.put("report_id", WAVE);
        commit.put("report_json", "{\"wave_id\":\"" + WAVE + "\",\"result\":\"ok\",\"servers\":[{\"source\":\"web1\"}]}");
        commit.put("report_markdown", "# Cutover " + WAVE + "\n");
        commit.put("after", "thaw");
        JsonNode committed = client.post("/cutover/commit", commit, TIMEOUT_MS + 10_000);
        assertEquals("ok", committed.path("result").asText(), committed::toString);
        assertTrue(committed.path("fenced").asBoolean(), committed::toString);
    }

    /**
     * Kills the source and starts it without its own record of the cutover (as if it was lost): it
     * connects, the receiver refuses it and logs why, and it says cut_over from the refusal.
     */
    private void restartSourceWithoutItsRecord() throws Exception {
        r.source.kill9();
        Files.delete(dir.resolve("state").resolve("cutover.json"));
        r.startSource();
        r.target.awaitLog("refused source web1 from", TIMEOUT_MS);
        r.target.awaitLog("CUT_OVER source web1 was cut over at", TIMEOUT_MS);
        JsonNode s = r.awaitStatus("cut_over", st -> "cut_over".equals(st.path("state").asText()), TIMEOUT_MS);
        assertTrue(s.path("last_error").asText().contains("source web1 was cut over at"), s::toString);
        assertEquals(0, s.path("volumes").get(0).path("sent_bytes").asLong(), s::toString);
    }

    /** Waits until the source says cut_over and has seen writes since, which it did not send. */
    private void awaitCutOverAndWritesSeen() throws Exception {
        JsonNode s = r.awaitStatus("cut_over with writes seen since", st -> "cut_over".equals(st.path("state").asText())
                && written(st.path("volumes").get(0)) > 0, TIMEOUT_MS);
        assertEquals(0, s.path("volumes").get(0).path("sent_bytes").asLong(), s::toString);
    }

    private static long written(JsonNode volume) {
        return Math.max(volume.path("written_since_bytes").asLong(), volume.path("unreplicated_bytes").asLong());
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
