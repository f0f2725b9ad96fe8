package io.replicator.source;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.replicator.source.checkpoint.Checkpoints;
import java.util.List;

/**
 * What the source daemon reports to {@code ./replicator status}: its id, its {@link SourceState}, the tracker in use and why, the rescan in progress (or null),
 * the target, and each volume. While not connected, {@code lastError} says why, {@code nextAttemptMs}
 * is how long until the next connection attempt (0: one is under way; null while connected), and
 * {@code failedAttempts} counts the attempts and sessions that failed in a row since the last session
 * that made progress (see docs/design/004-reconnect-backoff.md). {@code staleMs} is 0 when the sync
 * agent gave this status now, else how old it is (the agent did not answer in time: it is busy or
 * stuck). {@code frozen} lists the mount points a cutover holds frozen now. {@code cutOver} says when
 * and by which report the source was cut over (null while it replicates). {@code flow} says whether
 * sending is paused and the bandwidth limit in force (its fields appear at the top level of the
 * JSON). {@code checkpoint} is the last consistent checkpoint asked of the source (null: none since the
 * daemon started). Immutable.
 */
public record SourceStatus(String id, SourceState state, String tracker, String trackerReason, RescanStatus rescan,
                           String target, boolean connected, String lastError, long durableSequence,
                           List<VolumeStatus> volumes, Long nextAttemptMs, int failedAttempts, long staleMs,
                           List<String> frozen, CutOver cutOver, @JsonUnwrapped FlowStatus flow,
                           Checkpoints.Last checkpoint) {
    /** The cutover that ended replication: its wave and report (null when learned from the receiver), when, how. */
    public record CutOver(String waveId, String reportId, String cutOverUtc, String how, String detail) {
    }

    /** Always {@code source}: tells a client this answer from a receiver's. */
    @JsonProperty("role")
    public String role() {
        return "source";
    }

    /** A status without the flow fields nor a cutover: sending neither paused nor limited, replicating. */
    public SourceStatus(String id, SourceState state, String tracker, String trackerReason, RescanStatus rescan,
                        String target, boolean connected, String lastError, long durableSequence,
                        List<VolumeStatus> volumes, Long nextAttemptMs, int failedAttempts, long staleMs,
                        List<String> frozen) {
        this(id, state, tracker, trackerReason, rescan, target, connected, lastError, durableSequence, volumes,
                nextAttemptMs, failedAttempts, staleMs, frozen, null, new FlowStatus(false, null, "none"), null);
    }

    /** A status without a checkpoint asked yet. */
    public SourceStatus(String id, SourceState state, String tracker, String trackerReason, RescanStatus rescan,
                        String target, boolean connected, String lastError, long durableSequence,
                        List<VolumeStatus> volumes, Long nextAttemptMs, int failedAttempts, long staleMs,
                        List<String> frozen, CutOver cutOver, FlowStatus flow) {
        this(id, state, tracker, trackerReason, rescan, target, connected, lastError, durableSequence, volumes,
                nextAttemptMs, failedAttempts, staleMs, frozen, cutOver, flow, null);
    }

    /** This status, as old as {@code staleMs}, with {@code connected} and {@code lastError} as given. */
    public SourceStatus stale(long staleMs, boolean connected, String lastError) {
        return new SourceStatus(id, state, tracker, trackerReason, rescan, target, connected, lastError,
                durableSequence, volumes, nextAttemptMs, failedAttempts, staleMs, frozen, cutOver, flow, checkpoint);
    }

    /** This status with {@code last}, the last checkpoint asked of the source (null: none). */
    public SourceStatus withCheckpoint(Checkpoints.Last last) {
        return new SourceStatus(id, state, tracker, trackerReason, rescan, target, connected, lastError,
                durableSequence, volumes, nextAttemptMs, failedAttempts, staleMs, frozen, cutOver, flow, last);
    }

    /** This status naming {@code tracker} and why. */
    public SourceStatus withTracker(String tracker, String trackerReason) {
        return new SourceStatus(id, state, tracker, trackerReason, rescan, target, connected, lastError,
                durableSequence, volumes, nextAttemptMs, failedAttempts, staleMs, frozen, cutOver, flow, checkpoint);
    }
}
