package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.source.Outcome;
import io.replicator.source.report.AfterCutover;
import io.replicator.source.report.ReportJson;
import io.replicator.source.report.ReportMarkdown;
import io.replicator.source.report.ServerResult;
import io.replicator.source.report.WaveIds;
import io.replicator.source.report.WaveReport;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Cuts over a wave of servers together, through their source daemons' admin endpoints: every
 * server catches up ({@code POST /sync}, all at once) and, unless {@link Settings#fullVerify}, compares
 * every block it has not proven yet ({@code POST /verify}, all at once), so that each hashes only what
 * is written from then on while frozen; then every server freezes, drains, puts its
 * barrier through, verifies and holds ({@code POST /cutover/prepare}, all at once); only when every
 * server is verified are they all sealed on their receivers ({@code POST /cutover/commit}). The
 * first failure of any server (an error answer, a connection lost, no answer in time) withdraws
 * every request still pending and aborts every server at once ({@code POST /cutover/abort}: thawed,
 * not sealed), and names the culprit. Every server is handed the wave's report with its commit or
 * abort, which its receiver keeps. A wave of one server against a daemon without the two-phase
 * routes runs its one-shot {@code POST /cutover} instead (verified, not sealed).
 *
 * <p>Not thread-safe: one wave, run once by the calling thread, which alone touches the {@link
 * WaveServer}s; requests run on threads of its own.
 */
final class WaveCutover {
    static final long STATUS_TIMEOUT_MS = 10_000;
    /** Beyond the deadline a daemon was given, how long its answer (maybe its own timeout failure) may take to arrive. */
    static final long ANSWER_GRACE_MS = 30_000;
    static final long COMMIT_TIMEOUT_MS = 60_000;
    static final long ABORT_TIMEOUT_MS = 30_000;
    /** A request's own read timeout runs this much past its phase's deadline: the phase's deadline names the late server. */
    static final long REQUEST_SLACK_MS = 5_000;
    /** The one-shot cutover of a daemon without the two-phase routes: as long as the command always waited. */
    static final long ONE_SHOT_GRACE_MS = 90_000;

    /**
     * How the wave runs: what becomes of the old servers afterwards, the longest they stay frozen
     * after it (null: the daemon's default), the deadline of each phase (catch up; freeze to
     * verified), who asks, as this command knows it (the daemons' own word is preferred), how
     * long past a daemon's deadline its answer may take ({@link #ANSWER_GRACE_MS} by default), and
     * whether every block is hashed while frozen ({@code fullVerify}) rather than only those written
     * since the comparison before the freeze.
     */
    record Settings(AfterCutover after, Long maxFrozenMs, long timeoutMs, String askedByHere, long graceMs,
                    boolean fullVerify) {
        Settings(AfterCutover after, Long maxFrozenMs, long timeoutMs, String askedByHere, long graceMs) {
            this(after, maxFrozenMs, timeoutMs, askedByHere, graceMs, false);
        }

        Settings(AfterCutover after, Long maxFrozenMs, long timeoutMs, String askedByHere) {
            this(after, maxFrozenMs, timeoutMs, askedByHere, ANSWER_GRACE_MS);
        }
    }

    /** How a wave ended: its final report, its servers, the culprit's failure (null when it succeeded). */
    record Result(WaveReport report, List<WaveServer> servers, WavePhase.Failure failure, boolean oneShot) {
    }

    /** A wave that never began: a server could not be reached before anything was asked of any. */
    static final class NotStarted extends IOException {
        private static final long serialVersionUID = 1L;

        NotStarted(String message) {
            super(message);
        }
    }

    private final List<WaveServer> servers = new ArrayList<>();
    private final Settings settings;
    private final Clock clock;
    private final String waveId;
    private final Instant startedUtc;
    private Instant caughtUpUtc;
    private Instant fencedUtc;

    WaveCutover(List<WaveMember> members, Function<WaveMember, AdminClient> clients, Settings settings, Clock clock,
                RandomGenerator random) {
        for (WaveMember m : members) {
            servers.add(new WaveServer(m, clients.apply(m)));
        }
        this.settings = settings;
        this.clock = clock;
        this.startedUtc = clock.instant();
        this.waveId = WaveIds.next(startedUtc, random);
    }

    String waveId() {
        return waveId;
    }

    /**
     * Runs the wave to its end and answers how it ended.
     *
     * @throws NotStarted when a server's endpoint cannot be reached at the start: nothing was asked of any
     */
    Result run() throws NotStarted, InterruptedException {
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "wave-request");
            t.setDaemon(true);
            return t;
        });
        try {
            return run(pool);
        } finally {
            pool.shutdownNow();
        }
    }

    private Result run(ExecutorService pool) throws NotStarted, InterruptedException {
        long graceMs = settings.graceMs();
        WavePhase.Failure f = new WavePhase("status request", pool).run(servers,
                (s, w) -> s.client.get("/status", STATUS_TIMEOUT_MS), this::statusAnswered, true,
                STATUS_TIMEOUT_MS + graceMs);
        if (f != null && f.lost()) {
            throw new NotStarted(f.reason());
        }
        checkDistinctSources();
        servers.forEach(s -> s.engaged = true);
        if (f != null) {
            return abort(pool, f, "status");
        }
        long timeoutMs = settings.timeoutMs();
        f = new WavePhase("catch-up sync", pool).run(servers, (s, w) -> s.client.post("/sync",
                Map.of("timeout_ms", timeoutMs), timeoutMs + graceMs + REQUEST_SLACK_MS, w), this::syncAnswered,
                true, timeoutMs + graceMs);
        if (f == null && !settings.fullVerify()) {
            f = new WavePhase("verification before the freeze", pool).run(servers, (s, w) -> s.client.post("/verify",
                    Map.of("timeout_ms", timeoutMs), timeoutMs + graceMs + REQUEST_SLACK_MS, w),
                    this::preVerified, true, timeoutMs + graceMs);
        }
        if (f != null) {
            return abort(pool, f, "catch_up");
        }
        caughtUpUtc = clock.instant();
        f = new WavePhase("prepare", pool).run(servers, (s, w) -> s.client.post("/cutover/prepare",
                prepareBody(s), timeoutMs + graceMs + REQUEST_SLACK_MS, w), this::prepareAnswered, true,
                timeoutMs + graceMs);
        if (f != null && servers.size() == 1 && !f.lost()
                && f.reason().startsWith("no route /cutover/prepare")) {
            return oneShot(servers.get(0));
        }
        if (f != null) {
            return abort(pool, f, "prepare");
        }
        return commit(pool);
    }

    private String statusAnswered(WaveServer s, JsonNode status) {
        s.source = status.path("id").asText(null);
        if ("cut_over".equals(status.path("state").asText())) {
            s.refused = true;
            JsonNode cutOver = status.path("cut_over");
            String when = cutOver.path("cut_over_utc").asText("");
            String report = cutOver.path("report_id").asText("");
            return "the cutover of " + s.name() + " is already done" + (when.isEmpty() ? "" : " (at " + when
                    + (report.isEmpty() ? "" : ", report " + report) + ")") + ": its receiver takes nothing more "
                    + "from it; 'replicator release' lifts the seal on purpose";
        }
        return null;
    }

    private void checkDistinctSources() {
        Map<String, WaveServer> seen = new HashMap<>();
        for (WaveServer s : servers) {
            WaveServer before = s.source == null ? null : seen.putIfAbsent(s.source, s);
            if (before != null) {
                throw new Main.UsageException("the wave names source " + s.source + " twice: at "
                        + before.member.name() + " and at " + s.member.name());
            }
        }
    }

    private String syncAnswered(WaveServer s, JsonNode answer) {
        String failure = WavePhase.expecting("ok").apply(answer);
        if (failure != null) {
            s.failure = answer;
            s.refused = "refused".equals(answer.path("result").asText());
        }
        return failure;
    }

    /**
     * The verification asked after the catch-up, before any freeze: each daemon compares every chunk
     * not proven yet and keeps what it proves, so that its cutover hashes only what is written from now
     * on while frozen, and the servers freeze close together. A chunk that differs fails the wave (it is
     * being sent again); chunks in flight are compared again by the cutover; a daemon without the
     * route, or that cannot compare now, is left to verify in its cutover.
     */
    private String preVerified(WaveServer s, JsonNode answer) {
        if ("differ".equals(answer.path("result").asText())) {
            s.failure = answer;
            return "verification before the freeze: " + answer.path("reason").asText("chunks differ");
        }
        return null;
    }

    private Map<String, Object> prepareBody(WaveServer s) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("wave_id", waveId);
        if (!s.member.freeze().isEmpty()) {
            body.put("freeze", s.member.freeze());
        }
        body.put("timeout_ms", settings.timeoutMs());
        if (settings.fullVerify()) {
            body.put("full_verify", true);
        }
        return body;
    }

    private String prepareAnswered(WaveServer s, JsonNode answer) {
        String failure = WavePhase.expecting("verified").apply(answer);
        if (failure == null) {
            s.prepared = answer;
        } else {
            s.failure = answer;
            s.refused = "refused".equals(answer.path("result").asText());
        }
        return failure;
    }

    /** Every server verified: seal them all, at once; the report handed to them is the one of a verified wave. */
    private Result commit(ExecutorService pool) throws InterruptedException {
        fencedUtc = clock.instant();
        servers.forEach(s -> {
            s.result = ServerResult.OK;
            s.sealing = true;
        });
        WaveReport sealed = report(Outcome.OK, null, null);
        Map<String, Object> body = new LinkedHashMap<>(reportBody(sealed));
        body.put("after", settings.after().toString());
        if (settings.maxFrozenMs() != null) {
            body.put("max_frozen_ms", settings.maxFrozenMs());
        }
        WavePhase.Failure f = new WavePhase("commit", pool).run(servers,
                (s, w) -> s.client.post("/cutover/commit", body, COMMIT_TIMEOUT_MS, w), this::commitAnswered, false,
                COMMIT_TIMEOUT_MS + settings.graceMs());
        servers.forEach(s -> s.sealing = false);
        if (f == null) {
            return new Result(report(Outcome.OK, null, null), servers, null, false);
        }
        List<String> sealedOnes = new ArrayList<>();
        for (WaveServer s : servers) {
            if (s.fenced()) {
                sealedOnes.add(s.name());
            } else if (s.result == ServerResult.OK) {
                s.fail(ServerResult.FAILED, "commit", "no answer to the commit: " + (s.lost ? "its daemon was lost"
                        : "withdrawn"));
            }
        }
        String reason = f.reason() + (sealedOnes.isEmpty() ? "" : "; sealed nonetheless: " + String.join(", ",
                sealedOnes) + " ('replicator release --admin RECEIVER --source ID' lifts a seal to cut over again)");
        return new Result(report(Outcome.FAILED, f.server().name(), reason), servers, f, false);
    }

    private String commitAnswered(WaveServer s, JsonNode answer) {
        s.committed = answer;
        String failure = WavePhase.expecting("ok").apply(answer);
        if (failure == null && !s.fenced()) {
            failure = "the receiver did not seal the copies of " + s.name() + ": " + answer;
        }
        if (failure != null) {
            s.fail(ServerResult.FAILED, "commit", failure);
        }
        return failure;
    }

    /** The wave failed: every server it engaged is told to abort (thaw, no seal) at once, and handed the report. */
    private Result abort(ExecutorService pool, WavePhase.Failure f, String phase) throws InterruptedException {
        WaveServer culprit = f.server();
        String said = culprit.failure == null ? null : culprit.failure.path("phase").asText(null);
        culprit.fail(ServerResult.FAILED, said != null ? said : phase, f.reason());
        String withdrawn = "withdrawn and thawed: " + culprit.name() + " failed";
        for (WaveServer s : servers) {
            if (s != culprit) {
                s.fail(ServerResult.ABORTED, phase, s.refused && s.failure != null
                        ? s.failure.path("reason").asText(withdrawn) : withdrawn);
            }
        }
        WaveReport failed = report(Outcome.FAILED, culprit.name(), f.reason());
        Map<String, Object> body = new LinkedHashMap<>(reportBody(failed));
        body.put("reason", culprit.name() + " failed: " + f.reason());
        List<WaveServer> told = servers.stream().filter(s -> s.engaged && !s.refused).toList();
        new WavePhase("abort", pool).run(told, (s, w) -> s.client.post("/cutover/abort", body, ABORT_TIMEOUT_MS, w),
                this::abortAnswered, false, ABORT_TIMEOUT_MS + settings.graceMs());
        for (WaveServer s : told) {
            if (s != culprit && s.aborted == null) {
                s.fail(ServerResult.UNKNOWN, phase, "withdrawn, and its abort got no answer: its freeze guard thaws "
                        + "it at the wave's deadline at the latest");
            }
        }
        return new Result(report(Outcome.FAILED, culprit.name(), f.reason()), servers, f, false);
    }

    private String abortAnswered(WaveServer s, JsonNode answer) {
        s.abortedUtc = clock.instant();
        if (!answer.path("reason").asText("").startsWith("no route")) {
            s.aborted = answer;
        }
        return WavePhase.expecting("aborted").apply(answer);
    }

    /** The one-shot cutover of a daemon without the two-phase routes: verified, not sealed. */
    private Result oneShot(WaveServer s) {
        s.failure = null;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("freeze", s.member.freeze());
        body.put("timeout_ms", settings.timeoutMs());
        if (settings.fullVerify()) {
            body.put("full_verify", true);
        }
        try {
            JsonNode answer = s.client.post("/cutover", body, settings.timeoutMs() + ONE_SHOT_GRACE_MS);
            String failure = WavePhase.expecting("ok").apply(answer);
            if (failure == null && answer.path("verified").asBoolean()) {
                s.prepared = answer;
                s.result = ServerResult.OK;
                return new Result(report(Outcome.OK, null, null), servers, null, true);
            }
            s.failure = answer;
            s.fail(ServerResult.FAILED, "cutover", Objects.requireNonNullElse(failure, "not verified"));
            return new Result(report(Outcome.FAILED, s.name(), s.reason), servers,
                    new WavePhase.Failure(s, s.reason, false), true);
        } catch (IOException e) {
            s.lost = true;
            s.fail(ServerResult.FAILED, "cutover", e.getMessage());
            return new Result(report(Outcome.FAILED, s.name(), s.reason), servers,
                    new WavePhase.Failure(s, s.reason, true), true);
        }
    }

    private static Map<String, Object> reportBody(WaveReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("wave_id", report.waveId());
        body.put("report_id", report.waveId());
        body.put("report_json", ReportJson.write(report));
        body.put("report_markdown", ReportMarkdown.write(report));
        return body;
    }

    /** The wave's report as of now. */
    private WaveReport report(Outcome result, String failedServer, String reason) {
        Instant now = clock.instant();
        Instant firstFreeze = null;
        Instant lastVerified = null;
        boolean allVerified = true;
        String askedBy = null;
        for (WaveServer s : servers) {
            Instant frozen = s.freezeStartedUtc();
            if (frozen != null && (firstFreeze == null || frozen.isBefore(firstFreeze))) {
                firstFreeze = frozen;
            }
            Instant verified = s.verifiedUtc();
            allVerified &= verified != null;
            if (verified != null && (lastVerified == null || verified.isAfter(lastVerified))) {
                lastVerified = verified;
            }
            JsonNode answer = s.prepared != null ? s.prepared : s.failure;
            if (askedBy == null && answer != null && answer.hasNonNull("asked_by")) {
                askedBy = answer.path("asked_by").asText();
            }
        }
        WaveReport.Phases phases = new WaveReport.Phases(startedUtc, caughtUpUtc, firstFreeze,
                allVerified ? lastVerified : null, result == Outcome.OK ? fencedUtc : null, now);
        return new WaveReport(waveId, askedBy != null ? askedBy : settings.askedByHere(), settings.after(), result,
                failedServer, reason, phases, servers.stream().map(s -> s.report(now)).toList());
    }
}
