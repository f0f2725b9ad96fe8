package io.replicator.source;

/**
 * A cutover, verification or sync refused at once because another runs on this source (its message
 * names the running one, when it started and who asked for it: {@link #running}), or because sending
 * is paused, when it could only wait out its deadline ({@link #running} null).
 */
public final class OperationRefusedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final transient RunningOperation running;

    public OperationRefusedException(String asked, RunningOperation running) {
        super("refused: " + asked + " cannot run now: " + running.describe() + " is running; one operation at a "
                + "time, try again once it has ended");
        this.running = running;
    }

    /** {@code asked} is refused for {@code why}, while no other operation runs. */
    public OperationRefusedException(String asked, String why) {
        super("refused: " + asked + " cannot run now: " + why);
        this.running = null;
    }

    /** The operation that runs, or null when the refusal has another reason. */
    public RunningOperation running() {
        return running;
    }
}
