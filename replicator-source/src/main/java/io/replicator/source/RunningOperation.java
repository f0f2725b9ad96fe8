package io.replicator.source;

/**
 * The one operation a source runs at a time: {@code operation} ({@code cutover}, {@code verify},
 * {@code sync}), the wave of a cutover (or null), who asked ({@code asked_by}: the admin
 * certificate's name, or {@code loopback}) and when it started (UTC, ISO-8601). Immutable.
 */
public record RunningOperation(String operation, String waveId, String askedBy, String startedUtc) {
    /** {@code a cutover (wave w-1) asked by 'ops-admin' at 2026-12-07T10:00:00Z}. */
    public String describe() {
        return "a " + operation + (waveId == null ? "" : " (wave " + waveId + ")") + " asked by '" + askedBy + "' at "
                + startedUtc;
    }
}
