package io.replicator.target;

import static io.replicator.target.TargetFixture.BLOCK;
import static io.replicator.target.TargetFixture.DISK0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.replicator.protocol.wire.Ack;
import io.replicator.protocol.wire.Barrier;
import io.replicator.protocol.wire.CutoverReport;
import io.replicator.protocol.wire.CutoverReportAck;
import io.replicator.protocol.wire.ErrorCode;
import io.replicator.protocol.wire.ErrorFrame;
import io.replicator.protocol.wire.Frame;
import io.replicator.protocol.wire.HashRequest;
import io.replicator.protocol.wire.Heartbeat;
import io.replicator.protocol.wire.Hello;
import io.replicator.protocol.wire.ProtocolVersion;
import io.replicator.target.cutover.ReportStore;
import io.replicator.target.cutover.Seal;
import io.replicator.target.cutover.SealFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The receiver's side of a cutover on 127.0.0.1: a source's {@link CutoverReport} is stored and its
 * seal written durably before the ack; from then on the source's blocks, barriers, hash requests and
 * HELLOs are refused with {@code CUT_OVER} (logged once per source per interval), across restarts, until
 * the seal is released.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TargetCutoverSealTest {
    static final String REPORT_ID = "wave-20261207T104100Z-3f2a";
    static final String REPORT_JSON = "{\"wave_id\":\"" + REPORT_ID + "\",\"result\":\"ok\","
            + "\"finished_utc\":\"2026-12-07T10:41:07Z\",\"servers\":[{\"source\":\"web1\"},{\"source\":\"db1\"}]}";
    static final String REPORT_MARKDOWN = "# Cutover " + REPORT_ID + "\n\nweb1 and db1: verified, fenced.\n";

    @TempDir
    Path dataDir;

    /** Says HELLO as {@code sourceId}, sends blocks 1-3 and a sealing report; returns the connection after the ack. */
    private static TestSource sealed(TargetFixture target, String sourceId, String reportId, String json)
            throws IOException {
        TestSource source = target.connect();
        source.hello(sourceId, DISK0);
        for (long seq = 1; seq <= 3; seq++) {
            source.send(target.block(0, seq, seq * BLOCK, TargetFixture.random(seq, BLOCK)));
        }
        source.send(new CutoverReport(7, true, reportId, json, REPORT_MARKDOWN));
        CutoverReportAck ack = reportAck(source);
        assertEquals(7, ack.requestId());
        assertTrue(ack.sealed());
        return source;
    }

    /** Reads past acks and heartbeats to the report's ack. */
    private static CutoverReportAck reportAck(TestSource source) throws IOException {
        Frame frame;
        do {
            frame = source.read();
        } while (frame instanceof Ack || frame instanceof Heartbeat);
        return assertInstanceOf(CutoverReportAck.class, frame, String.valueOf(frame));
    }

    private static ErrorFrame helloRefused(TargetFixture target, String sourceId) throws IOException {
        try (TestSource source = target.connect()) {
            source.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                    ProtocolVersion.SUPPORTED_FEATURES, sourceId, List.of(DISK0)));
            return source.expectError(ErrorCode.CUT_OVER);
        }
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldStoreTheReportAndTheSealDurablyBeforeTheAck() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir)) {
            sealed(target, "web1", REPORT_ID, REPORT_JSON).close();
            Path reports = dataDir.resolve(ReportStore.DIR_NAME);
            assertEquals(REPORT_JSON, Files.readString(reports.resolve(REPORT_ID + ".json")));
            assertEquals(REPORT_MARKDOWN, Files.readString(reports.resolve(REPORT_ID + ".md")));
            String seal = Files.readString(SealFile.path(dataDir.resolve("web1")));
            assertTrue(seal.contains("\"format\" : \"" + SealFile.FORMAT + "\""), seal);
            assertTrue(seal.contains("\"report_id\" : \"" + REPORT_ID + "\""), seal);
            assertTrue(seal.contains(target.image("web1", "disk0").toString()), seal);
            TargetStatus.SourceStatus status = target.server.status().sources().get(0);
            assertEquals(REPORT_ID, status.sealed().reportId());
            assertEquals(3, status.durableSequence(), "every block before the report is durable");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"block", "barrier", "hash"})
    void shouldRefuseWhatWouldChangeOrAskASealedVolumeOnTheSameSession(String what) throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir);
             TestSource source = sealed(target, "web1", REPORT_ID, REPORT_JSON)) {
            String before = sha256(target.image("web1", "disk0"));
            source.send(switch (what) {
                case "block" -> target.block(0, 4, 0, TargetFixture.random(4, BLOCK));
                case "barrier" -> new Barrier(1, 3);
                default -> new HashRequest(1, 0, 0, BLOCK, 1);
            });
            ErrorFrame error = source.expectError(ErrorCode.CUT_OVER);
            assertTrue(error.message().contains("source web1 was cut over at") && error.message().contains(REPORT_ID)
                    && error.message().contains("replicator release --admin RECEIVER --source web1"), error.message());
            assertEquals(before, sha256(target.image("web1", "disk0")));
        }
    }

    @Test
    void shouldRefuseTheHelloOfASealedSourceAlsoAfterARestartAndLogIt() throws IOException {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        String image;
        try (TargetFixture target = new TargetFixture(dataDir)) {
            sealed(target, "web1", REPORT_ID, REPORT_JSON).close();
            image = sha256(target.image("web1", "disk0"));
            for (int i = 0; i < 5; i++) {
                helloRefused(target, "web1");
            }
            target.restart();
            ErrorFrame error = helloRefused(target, "web1");
            assertTrue(error.message().contains(REPORT_ID), error.message());
            assertEquals(1, target.server.status().sources().size(), "known from its seal and its fleet file, once");
            TargetStatus.SourceStatus status = target.server.status().sources().get(0);
            assertEquals("web1", status.id());
            assertFalse(status.connected());
            assertEquals("disconnected", status.state());
            assertNotNull(status.lastSeenMs(), "the fleet file says when it was last seen");
            assertEquals(3, status.durableSequence());
            assertEquals(REPORT_ID, status.sealed().reportId());
            assertEquals(1, status.volumes().size());
            assertEquals(3L * BLOCK, status.volumes().get(0).durableBytes(),
                    "what was durable before the restart, from the fleet file: " + status);
            assertEquals(image, sha256(target.image("web1", "disk0")));
        } finally {
            System.setErr(original);
            original.print(captured.toString(StandardCharsets.UTF_8));
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("refused source web1 from") && log.contains("CUT_OVER source web1 was cut over at"),
                log);
        assertEquals(2, log.split("refused source web1 from", -1).length - 1,
                "one line per source per interval, again after the restart: " + log);
        assertTrue(log.contains("source web1 is sealed: cut over at"), "the restart says what is sealed: " + log);
    }

    @Test
    void shouldTakeBlocksAgainOnceReleased() throws Exception {
        try (TargetFixture target = new TargetFixture(dataDir)) {
            sealed(target, "web1", REPORT_ID, REPORT_JSON).close();
            target.restart();
            Seal released = target.server.cutovers().release("web1", "a test").orElseThrow();
            assertEquals(List.of(new Seal.Volume("disk0", target.image("web1", "disk0").toString(), DISK0.sizeBytes())),
                    released.volumes());
            assertFalse(Files.exists(SealFile.path(dataDir.resolve("web1"))));
            assertTrue(target.server.cutovers().release("web1", "a test").isEmpty(), "released once");
            target.restart();
            String before = sha256(target.image("web1", "disk0"));
            try (TestSource source = TestSource.connectWhenFree(target.server.localAddress(), "web1", 10_000, DISK0)) {
                assertEquals(3, source.helloAck.durableSequence());
                source.send(target.block(0, 4, 0, TargetFixture.random(4, BLOCK)));
                source.awaitAck(4);
            }
            assertNotEquals(before, sha256(target.image("web1", "disk0")));
            assertNull(target.server.status().sources().get(0).sealed());
        }
    }

    @Test
    void shouldRefuseToStartOnASealFileItCannotReadNamingIt() throws IOException {
        Path seal = SealFile.path(dataDir.resolve("web1"));
        Files.createDirectories(seal.getParent());
        Files.writeString(seal, "{\"format\": \"replicator-cutover-seal\", \"version\": 1, \"source\": \"web1\"");
        IOException e = assertThrows(IOException.class, () -> new TargetFixture(dataDir));
        assertTrue(e.getMessage().contains(seal.toString()) && e.getMessage().contains("unreadable"), e.getMessage());
        Files.writeString(seal, "{\"format\": \"replicator-cutover-seal\", \"version\": 9}");
        e = assertThrows(IOException.class, () -> new TargetFixture(dataDir));
        assertTrue(e.getMessage().contains(seal.toString()) && e.getMessage().contains("version 9"), e.getMessage());
    }

    @Test
    void shouldKeepAReportWhoseIdIsAlreadyStored() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir)) {
            sealed(target, "web1", REPORT_ID, REPORT_JSON).close();
            sealed(target, "db1", REPORT_ID, "{\"result\":\"failed\"}").close();
            assertEquals(REPORT_JSON, Files.readString(dataDir.resolve(ReportStore.DIR_NAME).resolve(REPORT_ID + ".json")));
            assertEquals(2, target.server.cutovers().seals().size(), "both sources are sealed");
            ReportStore.Summary only = target.server.cutovers().reports().list().get(0);
            assertEquals(new ReportStore.Summary(REPORT_ID, "2026-12-07T10:41:07Z", "ok", List.of("web1", "db1")), only);
        }
    }

    @Test
    void shouldStoreAReportWithoutSealAndTakeBlocksAfterIt() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            source.send(new CutoverReport(1, false, "wave-failed", "{\"result\":\"failed\"}", "failed\n"));
            assertFalse(reportAck(source).sealed());
            source.send(target.block(0, 1, 0, TargetFixture.random(1, BLOCK)));
            source.awaitAck(1);
            assertTrue(Files.exists(dataDir.resolve(ReportStore.DIR_NAME).resolve("wave-failed.json")));
        }
    }

    @Test
    void shouldRefuseAReportLargerThanAllowedAndStoreNothing() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir)) {
            try (TestSource source = target.connect()) {
                source.hello("web1", DISK0);
                source.sendBytes(oversizedReport());
                ErrorFrame error = source.expectError(ErrorCode.MALFORMED_FRAME);
                assertTrue(error.message().contains("report json length")
                        && error.message().contains(String.valueOf(CutoverReport.MAX_TEXT_BYTES + 1)), error.message());
            }
            assertFalse(Files.exists(dataDir.resolve(ReportStore.DIR_NAME)));
            assertTrue(target.server.cutovers().seals().isEmpty());
            TestSource.connectWhenFree(target.server.localAddress(), "web1", 10_000, DISK0).close();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** A sealing CUTOVER_REPORT whose json is one byte over the bound, its trailer right: what a hostile peer sends. */
    private static byte[] oversizedReport() {
        byte[] id = "wave-big".getBytes(StandardCharsets.US_ASCII);
        int jsonBytes = CutoverReport.MAX_TEXT_BYTES + 1;
        int body = 8 + 1 + 2 + id.length + 4 + jsonBytes + 4;
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(6 + body + 4)
                .putInt(2 + body + 4)                   // length: type, flags, body, trailer
                .put((byte) 11)                         // type CUTOVER_REPORT
                .put((byte) 1)                          // flags: CHECKSUM
                .putLong(1)                             // requestId
                .put((byte) CutoverReport.FLAG_SEAL)    // flags: SEAL
                .putShort((short) id.length).put(id)    // reportId
                .putInt(jsonBytes);                     // jsonLen: MAX_TEXT_BYTES + 1
        frame.put(new byte[jsonBytes]).putInt(0);       // json (zeros), mdLen 0
        return TestSource.reseal(frame.array());
    }

    @Test
    void shouldRefuseAReportWhoseJsonIsNotAnObjectAndSealNothing() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.hello("web1", DISK0);
            source.send(new CutoverReport(1, true, REPORT_ID, "[1, 2]", REPORT_MARKDOWN));
            ErrorFrame error = source.expectError(ErrorCode.MALFORMED_FRAME);
            assertTrue(error.message().contains("not a JSON object"), error.message());
            assertTrue(target.server.cutovers().seals().isEmpty());
            assertFalse(Files.exists(dataDir.resolve(ReportStore.DIR_NAME).resolve(REPORT_ID + ".json")));
        }
    }

    @Test
    void shouldRefuseAReportInASessionWithoutTheFeature() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.hello("web1", ProtocolVersion.FEATURE_LZ4, DISK0);
            source.send(new CutoverReport(1, true, REPORT_ID, REPORT_JSON, REPORT_MARKDOWN));
            ErrorFrame error = source.expectError(ErrorCode.UNEXPECTED_FRAME);
            assertTrue(error.message().contains("CUTOVER_SEAL"), error.message());
            assertTrue(target.server.cutovers().seals().isEmpty());
        }
    }

    @Test
    void shouldRefuseTheSourceIdOfTheReportsDirectory() throws IOException {
        try (TargetFixture target = new TargetFixture(dataDir); TestSource source = target.connect()) {
            source.send(new Hello(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED,
                    ProtocolVersion.SUPPORTED_FEATURES, ReportStore.DIR_NAME, List.of(DISK0)));
            ErrorFrame error = source.expectError(ErrorCode.VOLUME_UNAVAILABLE);
            assertTrue(error.message().contains("cutover reports"), error.message());
        }
    }
}
