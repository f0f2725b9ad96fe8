package io.replicator.source.report;

import io.replicator.source.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The report of one cutover, of one server or a wave of them cut over together: the document an
 * auditor reads to know what was moved, when, by whom, and with what proof. {@code waveId} names
 * it ({@link WaveIds}); {@code askedBy} is who asked (the admin certificate's name, or {@code
 * loopback}); {@code after} what became of the old servers' file systems. The phases' UTC times
 * ({@link Phases}) are null for a phase not reached. {@code result} is {@code ok} only when every
 * volume of every server was verified and every server fenced; otherwise {@code failedServer}
 * names the culprit (by {@link ServerReport#displayName()}) and {@code reason} says why. {@code
 * waveDowntimeMs} runs from the first freeze to the last verification (null when the wave failed or
 * froze nothing).
 */
public record WaveReport(String waveId, String askedBy, AfterCutover after, Outcome result, String failedServer,
                         String reason, Phases phases, List<ServerReport> servers) {
    /** The version of the report's JSON ({@code report_schema}); fields are only added within it. */
    public static final int REPORT_SCHEMA = 1;

    /**
     * The UTC time each phase of the cutover was reached: started (asked), caught up (every
     * server's backlog durable on its receiver), first freeze, last verified, fenced (every seal
     * acknowledged), finished (all answers in, the report composed).
     */
    public record Phases(Instant startedUtc, Instant caughtUpUtc, Instant firstFreezeUtc, Instant lastVerifiedUtc,
                         Instant fencedUtc, Instant finishedUtc) {
        public Phases {
            Objects.requireNonNull(startedUtc, "startedUtc");
        }
    }

    public WaveReport {
        WaveIds.check(waveId);
        Objects.requireNonNull(askedBy, "askedBy");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(phases, "phases");
        servers = List.copyOf(servers);
    }

    /** The wave's downtime: first freeze to last verified, in ms; null when the wave failed or froze nothing. */
    public Long waveDowntimeMs() {
        if (result != Outcome.OK || phases.firstFreezeUtc() == null || phases.lastVerifiedUtc() == null) {
            return null;
        }
        return Duration.between(phases.firstFreezeUtc(), phases.lastVerifiedUtc()).toMillis();
    }

    public boolean ok() {
        return result == Outcome.OK;
    }
}
