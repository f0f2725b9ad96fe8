package io.replicator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.source.report.AfterCutover;
import io.replicator.source.report.ReportJson;
import io.replicator.source.report.ServerResult;
import io.replicator.source.report.WaveReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The wave orchestrator against stub source endpoints on 127.0.0.1: it seals only when every
 * server verified, and on the first failure withdraws and aborts every server at once, naming the
 * culprit; the report it hands the servers is the wave's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WaveCutoverTest {
    private final StubFleet stubs = new StubFleet();

    @AfterEach
    void stop() {
        stubs.close();
    }

    private StubSource stub(String id, StubSource.Prepare prepare) throws IOException {
        return stubs.add(id, prepare);
    }

    private static WaveCutover wave(List<InetSocketAddress> admins, long timeoutMs, long graceMs) {
        return wave(admins, new WaveCutover.Settings(AfterCutover.THAW, null, timeoutMs, "loopback", graceMs));
    }

    private static WaveCutover wave(List<InetSocketAddress> admins, WaveCutover.Settings settings) {
        List<WaveMember> members = admins.stream().map(a -> new WaveMember(a, List.of())).toList();
        return new WaveCutover(members, m -> new AdminClient(m.admin(), null), settings, Clock.systemUTC(),
                new Random(7));
    }

    private WaveCutover.Result run(long timeoutMs, long graceMs) throws Exception {
        return wave(stubs.all.stream().map(StubSource::address).toList(), timeoutMs, graceMs).run();
    }

    /** A prepare still pending at the failure was withdrawn, or was never sent when the failure came first. */
    private static void assertWithdrawnOrNeverSent(StubSource held) throws InterruptedException {
        if (held.prepareWithdrawn.await(1, TimeUnit.SECONDS) || held.count("/cutover/prepare") == 0) {
            return;
        }
        assertTrue(held.prepareWithdrawn.await(10, TimeUnit.SECONDS), "a prepare sent and never withdrawn: "
                + held.requests);
    }

    @Test
    void shouldSealEveryServerOnlyWhenAllAreVerified() throws Exception {
        for (String id : List.of("web1", "web2", "db1")) {
            stub(id, StubSource.Prepare.VERIFY);
        }
        WaveCutover.Result r = run(60_000, 30_000);
        WaveReport report = r.report();
        assertNull(r.failure(), () -> r.failure().toString());
        assertTrue(report.ok(), report::toString);
        for (StubSource s : stubs.all) {
            assertEquals(List.of("/status", "/sync", "/verify", "/cutover/prepare", "/cutover/commit"),
                    s.requests.stream().map(q -> q.split(" ")[1]).toList(), s.id);
            JsonNode commit = s.body("/cutover/commit");
            assertEquals(report.waveId(), commit.path("wave_id").asText());
            assertEquals(report.waveId(), s.body("/cutover/prepare").path("wave_id").asText());
            assertEquals("thaw", commit.path("after").asText());
            WaveReport handed = ReportJson.read(commit.path("report_json").asText());
            assertEquals(3, handed.servers().size());
            assertTrue(handed.servers().stream().allMatch(v -> v.fenced() && v.result() == ServerResult.OK));
            assertTrue(commit.path("report_markdown").asText().startsWith("# Cutover report " + report.waveId()));
        }
        assertEquals(List.of("web1", "web2", "db1"), report.servers().stream().map(v -> v.source()).toList());
        assertTrue(report.servers().stream().allMatch(v -> v.fenced() && v.freezeMs() == 1500));
        assertNotNull(report.waveDowntimeMs());
        assertNotNull(report.phases().fencedUtc());
    }

    @Test
    void shouldWithdrawAndAbortEveryServerAtOnceAndNameTheCulpritWhenOneFreezeFails() throws Exception {
        StubSource held = stub("web1", StubSource.Prepare.HOLD);
        StubSource failing = stub("db1", StubSource.Prepare.FAIL_FREEZE);
        StubSource verified = stub("web2", StubSource.Prepare.VERIFY);
        WaveCutover.Result r = run(60_000, 30_000);
        WaveReport report = r.report();
        assertFalse(report.ok());
        assertEquals("db1", report.failedServer());
        assertEquals("cannot freeze /srv/x: Operation not supported", report.reason());
        assertFalse(r.failure().lost());
        assertWithdrawnOrNeverSent(held);
        for (StubSource s : stubs.all) {
            assertEquals(0, s.count("/cutover/commit"), s.id + " was not sealed");
            assertEquals(1, s.count("/cutover/abort"), s.id + " was told to abort");
            WaveReport handed = ReportJson.read(s.body("/cutover/abort").path("report_json").asText());
            assertEquals("db1", handed.failedServer());
        }
        assertEquals(ServerResult.ABORTED, report.servers().get(0).result());
        assertEquals(ServerResult.FAILED, report.servers().get(1).result());
        assertEquals("freezing", report.servers().get(1).phase(), "the culprit's phase is the prepare");
        assertEquals(ServerResult.ABORTED, report.servers().get(2).result());
        assertTrue(report.servers().stream().noneMatch(v -> v.fenced()));
        assertEquals("thawed", report.servers().get(2).fileSystems());
        assertNull(report.waveDowntimeMs());
        assertTrue(verified.count("/cutover/prepare") <= 1, "asked at most once; never when the culprit's failure "
                + "came before its prepare was sent: " + verified.requests);
        assertEquals(1, failing.count("/cutover/abort"), "the culprit gets the report too");
    }

    @Test
    void shouldNameADaemonLostWhileTheOthersAreFrozen() throws Exception {
        StubSource held = stub("web1", StubSource.Prepare.HOLD);
        StubSource verified = stub("web2", StubSource.Prepare.VERIFY);
        WaveCutover.Result r;
        try (DyingSource dying = new DyingSource("db1")) {
            r = wave(List.of(held.address(), dying.address(), verified.address()), 60_000, 30_000).run();
        }
        assertFalse(r.report().ok());
        assertEquals("db1", r.report().failedServer(), r.report()::toString);
        assertTrue(r.failure().lost(), () -> r.failure() + "\n" + r.report());
        assertWithdrawnOrNeverSent(held);
        assertEquals(1, held.count("/cutover/abort"));
        assertEquals(1, verified.count("/cutover/abort"));
        assertEquals(0, verified.count("/cutover/commit"));
        assertEquals(ServerResult.FAILED, r.report().servers().get(1).result());
    }

    @Test
    void shouldFailAtTheDeadlineNamingTheServerThatDidNotAnswer() throws Exception {
        stub("web1", StubSource.Prepare.VERIFY);
        StubSource held = stub("db1", StubSource.Prepare.HOLD);
        WaveCutover.Result r = run(200, 300);
        assertEquals("db1", r.report().failedServer());
        assertEquals("no answer to the prepare within 500 ms", r.report().reason());
        assertWithdrawnOrNeverSent(held);
        assertEquals(1, stubs.get(0).count("/cutover/abort"));
    }

    @Test
    void shouldRefuseAWaveWithAServerAlreadyCutOverBeforeAskingAnyOther() throws Exception {
        StubSource done = stub("web1", StubSource.Prepare.VERIFY);
        done.state = "cut_over";
        StubSource other = stub("web2", StubSource.Prepare.VERIFY);
        WaveCutover.Result r = run(60_000, 30_000);
        assertEquals("web1", r.report().failedServer());
        assertTrue(r.report().reason().startsWith("the cutover of web1 is already done"), r.report().reason());
        assertEquals(0, other.count("/sync"));
        assertEquals(0, other.count("/cutover/prepare"));
        assertEquals(0, done.count("/cutover/abort"), "a sealed source is not asked anything more");
    }

    @Test
    void shouldAskForEveryBlockWhileFrozenAndNoVerificationBeforeTheFreezeWithFullVerify() throws Exception {
        StubSource s = stub("web1", StubSource.Prepare.VERIFY);
        WaveCutover.Result r = wave(List.of(s.address()), new WaveCutover.Settings(AfterCutover.THAW, null, 60_000,
                "loopback", 30_000, true)).run();
        assertTrue(r.report().ok(), r.report()::toString);
        assertEquals(List.of("/status", "/sync", "/cutover/prepare", "/cutover/commit"),
                s.requests.stream().map(q -> q.split(" ")[1]).toList());
        assertTrue(s.body("/cutover/prepare").path("full_verify").asBoolean(), s.requests::toString);
    }

    @Test
    void shouldFailTheWaveBeforeAnyFreezeWhenTheVerificationBeforeItFindsADifference() throws Exception {
        StubSource differing = stub("web1", StubSource.Prepare.VERIFY);
        differing.verifyAnswer = io.replicator.admin.Json.MAPPER.readTree("{\"result\":\"differ\",\"reason\":"
                + "\"1 chunks differ between source and target; they are being sent again\"}");
        StubSource other = stub("web2", StubSource.Prepare.VERIFY);
        WaveCutover.Result r = run(60_000, 30_000);
        assertEquals("web1", r.report().failedServer());
        assertTrue(r.report().reason().startsWith("verification before the freeze: 1 chunks differ"),
                r.report().reason());
        assertEquals(0, differing.count("/cutover/prepare") + other.count("/cutover/prepare"), "nothing was frozen");
        assertEquals(0, other.count("/cutover/commit"));
    }

    @Test
    void shouldNotAbortAServerThatRefusedTheWaveForAnotherOperation() throws Exception {
        StubSource busy = stub("web1", StubSource.Prepare.VERIFY);
        busy.syncAnswer = io.replicator.admin.Json.MAPPER.readTree("{\"result\":\"refused\",\"reason\":\"a cutover "
                + "(wave wave-20261207T093712Z-3f2a) asked by 'ops' at 2026-12-07T09:37:12Z is running\"}");
        StubSource other = stub("web2", StubSource.Prepare.VERIFY);
        WaveCutover.Result r = run(60_000, 30_000);
        assertEquals("web1", r.report().failedServer());
        assertTrue(r.report().reason().contains("is running"), r.report().reason());
        assertEquals(0, busy.count("/cutover/abort"), "the running operation is not ours to abort");
        assertEquals(0, busy.count("/cutover/prepare"));
        assertEquals(1, other.count("/cutover/abort"));
    }

    @Test
    void shouldNotStartWhenAServerCannotBeReached() throws Exception {
        StubSource reachable = stub("web1", StubSource.Prepare.VERIFY);
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        WaveCutover w = wave(List.of(reachable.address(), new InetSocketAddress("127.0.0.1", closed)), 60_000, 30_000);
        WaveCutover.NotStarted e = assertThrows(WaveCutover.NotStarted.class, w::run);
        assertTrue(e.getMessage().startsWith("cannot reach the admin endpoint 127.0.0.1:" + closed), e.getMessage());
        assertEquals(0, reachable.count("/sync"), "nothing was asked of any server");
    }

    @Test
    void shouldRunTheOneShotCutoverOfAnOlderDaemonAlone() throws Exception {
        StubSource old = stub("web1", StubSource.Prepare.ONE_SHOT);
        WaveCutover.Result r = run(60_000, 30_000);
        assertTrue(r.oneShot());
        assertTrue(r.report().ok(), r.report()::toString);
        assertFalse(r.report().servers().get(0).fenced());
        assertEquals(1, old.count("/cutover"));
        assertEquals(0, old.count("/cutover/commit"));
    }
}
