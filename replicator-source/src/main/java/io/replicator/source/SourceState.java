package io.replicator.source;

/**
 * The state of a source daemon in {@link SourceStatus}. The admin endpoint, the command line and
 * the metrics write {@link #toString()}: lower case with underscores, as {@code PRODUCT.md} names them.
 */
public enum SourceState {
    /** Not connected to the target yet since the daemon started, and no attempt has failed yet. */
    CONNECTING("connecting"),
    /** Connected; some volume is not wholly copied yet. */
    INITIAL_SYNC("initial_sync"),
    /** Connected; every volume was copied once, changes are streamed. */
    CONTINUOUS("continuous"),
    /** Every block is compared again (see {@link RescanStatus}). */
    RESCAN("rescan"),
    /** Not connected: an attempt failed (also before the first session; the daemon keeps trying) or the session was lost. */
    DISCONNECTED("disconnected"),
    /** A cutover runs. */
    CUTTING_OVER("cutting_over"),
    /** The cutover is done: replication has ended for this source. */
    CUT_OVER("cut_over"),
    /** Connected, every volume copied once, but changes are written faster than they are sent: the backlog grows. */
    NOT_CONVERGING("not_converging"),
    /** The admin paused sending: changes are tracked, nothing is sent. */
    PAUSED("paused");

    private final String json;

    SourceState(String json) {
        this.json = json;
    }

    /** The value in the admin endpoint's JSON and in {@code ./replicator status}. */
    @Override
    public String toString() {
        return json;
    }
}
