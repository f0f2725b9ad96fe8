package io.replicator.source.sync;

import java.util.concurrent.TimeUnit;

/**
 * Adaptive pacing's bounds ({@code --max-cpu}, {@code --max-pacing-lag}): the share of the
 * machine's CPU the source daemon may take while it replicates ({@code maxCpuPercent}, 1 to 100 of
 * all cores together; 0: pacing off), and how much lag it may trade for staying under it
 * ({@code maxLagMs}): past that, replication goes at full speed again. See
 * docs/design/011-adaptive-pacing.md. Immutable.
 */
public record PacingConfig(int maxCpuPercent, long maxLagMs) {
    /** The default lag pacing may trade: 5 s. */
    public static final long DEFAULT_MAX_LAG_MS = TimeUnit.SECONDS.toMillis(5);
    /** No pacing. */
    public static final PacingConfig OFF = new PacingConfig(0, DEFAULT_MAX_LAG_MS);

    public PacingConfig {
        if (maxCpuPercent < 0 || maxCpuPercent > 100) {
            throw new IllegalArgumentException("invalid --max-cpu " + maxCpuPercent
                    + " (expected: a percentage of the machine's CPU from 1 to 100)");
        }
        if (maxLagMs < 1) {
            throw new IllegalArgumentException("invalid --max-pacing-lag " + maxLagMs
                    + " ms (expected: at least 1ms, e.g. 5s)");
        }
    }

    /** Whether pacing is on. */
    public boolean enabled() {
        return maxCpuPercent > 0;
    }

    /** {@code --max-cpu} as given on the command line: an integer from 1 to 100, else an error naming the value. */
    public static int parseMaxCpuPercent(String text) {
        String t = text.strip();
        if (t.endsWith("%")) {
            t = t.substring(0, t.length() - 1).strip();
        }
        int value;
        try {
            value = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid --max-cpu '" + text
                    + "' (expected: a whole percentage of the machine's CPU from 1 to 100, e.g. 25)");
        }
        if (value < 1 || value > 100) {
            throw new IllegalArgumentException("invalid --max-cpu '" + text
                    + "' (expected: a whole percentage of the machine's CPU from 1 to 100, e.g. 25; "
                    + "100 is every core of the machine)");
        }
        return value;
    }
}
