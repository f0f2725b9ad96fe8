package io.replicator.source;

/**
 * A cutover, verification or sync refused at once because another runs on this source: its message
 * names the running one, when it started and who asked for it ({@link #running}).
 */
public final class OperationRefusedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final transient RunningOperation running;

    public OperationRefusedException(String asked, RunningOperation running) {
        super("refused: " + asked + " cannot run now: " + running.describe() + " is running; one operation at a "
                + "time, try again once it has ended");
        this.running = running;
    }

    public RunningOperation running() {
        return running;
    }
}
