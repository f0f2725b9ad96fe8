package io.replicator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.replicator.source.report.ServerReport;
import io.replicator.source.report.ServerResult;
import io.replicator.source.report.VolumeReport;
import io.replicator.source.report.VolumeResult;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One server's part in a cutover wave as the command line sees it: what its daemon answered in
 * each phase and how its part ended. Not thread-safe: owned by the thread that runs the wave
 * ({@link WaveCutover}); the threads that send requests hand their answers to it.
 */
final class WaveServer {
    final WaveMember member;
    final AdminClient client;
    /** The source's id, from its status; null until known. */
    String source;
    /** The answer to the prepare: verified and held (or the one-shot cutover's answer). */
    JsonNode prepared;
    /** The failure this server answered (409 of a sync, prepare or commit), or null. */
    JsonNode failure;
    JsonNode committed;
    JsonNode aborted;
    Instant abortedUtc;
    /** A prepare (or any request) was sent to it, so it may hold a freeze: it is told to abort if the wave fails. */
    boolean engaged;
    /** It refused the wave because another operation runs on it: it is not told to abort (that is not ours). */
    boolean refused;
    /** Its connection was lost or it did not answer: the daemon may have died. */
    boolean lost;
    /** The commit (and seal) is being asked of it: until its answer says otherwise, the report says it is fenced. */
    boolean sealing;
    ServerResult result = ServerResult.UNKNOWN;
    String reason;
    String phase;

    WaveServer(WaveMember member, AdminClient client) {
        this.member = member;
        this.client = client;
    }

    /** The name the admin knows it by: its source id, or its admin endpoint before the id is known. */
    String name() {
        return source != null ? source : member.name();
    }

    void fail(ServerResult how, String phase, String why) {
        this.result = how;
        this.phase = phase;
        this.reason = why;
    }

    boolean fenced() {
        return committed != null ? committed.path("fenced").asBoolean() : sealing;
    }

    /** What its file systems are at the end, as its daemon last said; null when no answer said it. */
    String fileSystems() {
        if (committed != null && committed.hasNonNull("file_systems")) {
            return committed.path("file_systems").asText();
        }
        String abortSays = aborted == null ? null : aborted.path("file_systems").asText(null);
        String failureSays = failure == null ? null : failure.path("file_systems").asText(null);
        if ("thawed".equals(abortSays) || failureSays == null) {
            return abortSays != null ? abortSays : prepared == null ? null : prepared.path("file_systems").asText(null);
        }
        return failureSays;
    }

    /** The mount points its daemon last said it could not thaw (thaw them by hand). */
    List<String> stillFrozen() {
        List<String> left = new ArrayList<>();
        for (JsonNode answer : new JsonNode[] {committed, aborted, failure}) {
            if (answer != null && answer.has("still_frozen")) {
                answer.path("still_frozen").forEach(n -> left.add(n.asText()));
                return left;
            }
        }
        return left;
    }

    Instant freezeStartedUtc() {
        return utc(prepared != null ? prepared : failure, "freeze_started_utc");
    }

    Instant verifiedUtc() {
        return utc(prepared, "verified_utc");
    }

    Instant thawedUtc() {
        if (committed != null) {
            return utc(committed, "thawed_utc");
        }
        return aborted != null && "thawed".equals(aborted.path("file_systems").asText()) ? abortedUtc : null;
    }

    /**
     * How long its writes were held: its daemon's count when it gave one, else from its freeze to
     * its thaw or, while it stays frozen, to {@code untilUtc}; null when it was never frozen.
     */
    Long freezeMs(Instant untilUtc) {
        for (JsonNode answer : new JsonNode[] {committed, aborted, failure}) {
            if (answer != null && answer.path("freeze_ms").canConvertToLong() && answer.path("freeze_ms").asLong() > 0) {
                return answer.path("freeze_ms").asLong();
            }
        }
        Instant from = freezeStartedUtc();
        Instant to = thawedUtc() != null ? thawedUtc() : untilUtc;
        return from == null || to == null ? null : Math.max(0, Duration.between(from, to).toMillis());
    }

    long finalSyncBytes() {
        JsonNode answer = prepared != null ? prepared : failure;
        return answer == null ? 0 : answer.path("final_sync_bytes").asLong();
    }

    List<VolumeReport> volumes() {
        List<VolumeReport> volumes = new ArrayList<>();
        JsonNode answer = prepared != null ? prepared : failure;
        if (answer == null) {
            return volumes;
        }
        for (JsonNode v : answer.path("volumes")) {
            String source = v.path("checksum_source").asText(null);
            String target = v.path("checksum_target").asText(null);
            VolumeResult result;
            if (source == null || target == null || source.isEmpty() || target.isEmpty()) {
                result = VolumeResult.NOT_VERIFIED;
            } else if (!source.equals(target)) {
                result = VolumeResult.DIFFER;
            } else {
                result = v.path("verified").asBoolean(prepared != null) ? VolumeResult.VERIFIED
                        : VolumeResult.NOT_VERIFIED;
            }
            volumes.add(new VolumeReport(v.path("name").asText(), v.path("size_bytes").asLong(),
                    v.path("final_sync_bytes").asLong(), source, target, result));
        }
        return volumes;
    }

    /** Its part of the wave's report, {@code untilUtc} standing for the thaw while it is still frozen. */
    ServerReport report(Instant untilUtc) {
        JsonNode answer = prepared != null ? prepared : failure;
        String verification = answer == null || !answer.path("verification").isTextual() ? null
                : answer.path("verification").asText();
        return new ServerReport(source, member.name(), result, reason, phase, freezeStartedUtc(), verifiedUtc(),
                thawedUtc(), freezeMs(untilUtc), fenced(), fileSystems(), finalSyncBytes(), volumes(), verification);
    }

    private static Instant utc(JsonNode answer, String field) {
        if (answer == null || !answer.path(field).isTextual()) {
            return null;
        }
        try {
            return Instant.parse(answer.path(field).asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
