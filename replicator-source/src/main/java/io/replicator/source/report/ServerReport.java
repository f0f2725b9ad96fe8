package io.replicator.source.report;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One server in a cutover report. {@code source} is the source's id (null when the daemon never
 * said it), {@code admin} the admin endpoint the cutover was asked of; {@code reason} says why it
 * did not end {@code ok} and {@code phase} in which phase (both null when it did). Times are UTC and
 * null for what did not happen: {@code freezeStartedUtc} (its file systems frozen, or its drain
 * begun when none was named), {@code verifiedUtc}, {@code thawedUtc}. {@code freezeMs} is how long
 * its writes were held: from the freeze to the thaw, or to the end of the cutover when it stays
 * frozen after it (null when never frozen). {@code fileSystems} is what its file systems are at the
 * end ({@code thawed}, {@code frozen}, {@code not_frozen}, {@code none}, {@code still_frozen}).
 * {@code fenced}: the receiver sealed its volumes against any further write from it.
 * {@code verification}: how its chunks were proven while frozen, {@code incremental} (those written
 * since they were compared before the freeze) or {@code full (why)}; null when not known.
 */
public record ServerReport(String source, String admin, ServerResult result, String reason, String phase,
                           Instant freezeStartedUtc, Instant verifiedUtc, Instant thawedUtc, Long freezeMs,
                           boolean fenced, String fileSystems, long finalSyncBytes, List<VolumeReport> volumes,
                           String verification) {
    public ServerReport {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(result, "result");
        volumes = List.copyOf(volumes);
    }

    /** A server whose verification is not known. */
    public ServerReport(String source, String admin, ServerResult result, String reason, String phase,
                        Instant freezeStartedUtc, Instant verifiedUtc, Instant thawedUtc, Long freezeMs,
                        boolean fenced, String fileSystems, long finalSyncBytes, List<VolumeReport> volumes) {
        this(source, admin, result, reason, phase, freezeStartedUtc, verifiedUtc, thawedUtc, freezeMs, fenced,
                fileSystems, finalSyncBytes, volumes, null);
    }

    /** The name an auditor knows the server by: its source id, or its admin endpoint when it never said its id. */
    public String displayName() {
        return source != null ? source : admin;
    }
}
