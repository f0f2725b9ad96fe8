package io.replicator.source.sync;

import io.replicator.protocol.text.Rates;
import java.util.concurrent.TimeUnit;

/**
 * Whether one volume's replication converges: the rate at which the source writes (bytes of blocks
 * newly changed per second), the rate at which changes are sent (plain bytes per second), and from
 * them the time to finish the initial copy and to catch up with the backlog. Sampled once a
 * second ({@link #sample}); both rates are averaged exponentially (weight {@value #WEIGHT} for the
 * newest second).
 *
 * <p>The volume is <em>not converging</em> once, after its initial copy, the write rate has exceeded
 * the send rate in every sample for {@link #WINDOW_NS} and the backlog is not smaller than at the
 * start of that window: the backlog grows, and at these rates it never reaches zero. It converges again
 * once the backlog shrinks to {@value #RECOVERED_FRACTION} of the largest it was since, or to zero.
 * Time is handed in ({@code nowNs}), so tests drive it. Not thread-safe: owned by the sync agent's
 * thread.
 */
final class Forecast {
    static final long SAMPLE_NS = TimeUnit.SECONDS.toNanos(1);
    static final long WINDOW_NS = TimeUnit.SECONDS.toNanos(10);
    static final double WEIGHT = 0.3;
    static final double RECOVERED_FRACTION = 0.75;
    /** The write rate must exceed the send rate by this factor to count: noise is not a trend. */
    static final double MARGIN = 1.05;
    private static final int WINDOW_SAMPLES = (int) (WINDOW_NS / SAMPLE_NS);

    private long lastSampleNs;
    private boolean started;
    private long lastWrittenBytes;
    private long lastSentBytes;
    private double writeBytesPerSecond;
    private double sendBytesPerSecond;
    /** Backlog at the end of each of the last samples, newest at {@code (next - 1) % length}. */
    private final long[] backlogs = new long[WINDOW_SAMPLES + 1];
    private int samples;
    /** Samples in a row in which writes outpaced sends. */
    private int outpaced;
    private boolean notConverging;
    private long peakBacklogBytes;
    /** Both rates in words, made when they change (once a second): a status asks for them far more often. */
    private String ratesWords;

    /**
     * One sample at {@code nowNs}, taken at most once a {@link #SAMPLE_NS}; the others are ignored.
     *
     * @param backlogBytes       what is known changed and not yet durable on the target (under the
     *                           scan tracker with what its last pass found changed)
     * @param writtenBytes       bytes found changed since start, a counter
     * @param sentBytes          plain bytes sent since start, a counter
     * @param scanWriteRate      the scan tracker's estimate of the write rate from its last pass, or
     *                           a negative number to take the counter's
     * @param initialCopyDone    the volume was wholly copied once
     */
    void sample(long nowNs, long backlogBytes, long writtenBytes, long sentBytes, double scanWriteRate,
                boolean initialCopyDone) {
        if (!started) {
            started = true;
            lastSampleNs = nowNs;
            lastWrittenBytes = writtenBytes;
            lastSentBytes = sentBytes;
            return;
        }
        long elapsedNs = nowNs - lastSampleNs;
        if (elapsedNs < SAMPLE_NS) {
            return;
        }
        double seconds = elapsedNs / 1e9;
        double written = scanWriteRate >= 0 ? scanWriteRate : Math.max(0, writtenBytes - lastWrittenBytes) / seconds;
        double sent = Math.max(0, sentBytes - lastSentBytes) / seconds;
        writeBytesPerSecond = average(writeBytesPerSecond, written);
        sendBytesPerSecond = average(sendBytesPerSecond, sent);
        ratesWords = null;
        lastSampleNs = nowNs;
        lastWrittenBytes = writtenBytes;
        lastSentBytes = sentBytes;
        long windowStartBacklog = backlogs[(samples + 1) % backlogs.length];
        backlogs[samples % backlogs.length] = backlogBytes;
        samples++;
        outpaced = initialCopyDone && writeBytesPerSecond > sendBytesPerSecond * MARGIN ? outpaced + 1 : 0;
        if (!notConverging && outpaced >= WINDOW_SAMPLES && samples > WINDOW_SAMPLES
                && backlogBytes > 0 && backlogBytes >= windowStartBacklog) {
            notConverging = true;
            peakBacklogBytes = backlogBytes;
        } else if (notConverging) {
            peakBacklogBytes = Math.max(peakBacklogBytes, backlogBytes);
            if (backlogBytes == 0 || backlogBytes <= peakBacklogBytes * RECOVERED_FRACTION || !initialCopyDone) {
                notConverging = false;
                outpaced = 0;
            }
        }
    }

    private static double average(double previous, double sample) {
        return previous == 0 ? sample : (1 - WEIGHT) * previous + WEIGHT * sample;
    }

    double writeBytesPerSecond() {
        return writeBytesPerSecond;
    }

    double sendBytesPerSecond() {
        return sendBytesPerSecond;
    }

    boolean notConverging() {
        return notConverging;
    }

    /** How long copying {@code remainingBytes} takes at the send rate; null while nothing was measured. */
    Long etaMs(long remainingBytes) {
        if (remainingBytes <= 0) {
            return 0L;
        }
        return sendBytesPerSecond <= 0 ? null : (long) (remainingBytes * 1000 / sendBytesPerSecond);
    }

    /**
     * How long until {@code backlogBytes} is sent while writes go on at their rate: null when it never
     * is at these rates (writes at least as fast as sends) or nothing was measured.
     */
    Long catchUpMs(long backlogBytes) {
        if (backlogBytes <= 0) {
            return 0L;
        }
        double net = sendBytesPerSecond - writeBytesPerSecond;
        return net <= 0 ? null : (long) (backlogBytes * 1000 / net);
    }

    /** The forecast in words, with both rates. */
    String describe(long backlogBytes) {
        if (ratesWords == null) {
            ratesWords = "writes " + Rates.format(writeBytesPerSecond) + ", sends " + Rates.format(sendBytesPerSecond);
        }
        String rates = ratesWords;
        if (notConverging) {
            return "not converging: " + rates + "; the backlog grows";
        }
        Long ms = catchUpMs(backlogBytes);
        return ms == null ? rates : rates + "; caught up in " + (ms + 999) / 1000 + " s";
    }
}
