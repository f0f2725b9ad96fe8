package io.replicator.source.sync;

import io.replicator.protocol.rate.TokenBucket;
import java.time.Clock;
import java.time.LocalTime;
import java.util.concurrent.TimeUnit;

/**
 * The source's bandwidth limit on the bytes of block frames on the wire (header and compressed
 * payload): a {@link TokenBucket} whose rate follows the configured {@link RateSchedule} in the
 * source's local time (looked at every {@value #SCHEDULE_CHECK_MS} ms, so a window starts or ends
 * within that of its boundary), unless the admin set another limit live ({@link #throttle}), which
 * holds until the next {@code throttle} or a restart. Time is injected: the bucket's monotonic
 * {@code nowNs} and the schedule's {@link Clock}. Not thread-safe: owned by the sync agent's thread.
 */
final class RateLimiter {
    static final long SCHEDULE_CHECK_MS = 100;

    /** Where the limit in force comes from. */
    enum Origin {
        NONE("none"), MAX_RATE("max_rate"), SCHEDULE("schedule"), THROTTLE("throttle");

        private final String json;

        Origin(String json) {
            this.json = json;
        }

        @Override
        public String toString() {
            return json;
        }
    }

    private final RateSchedule schedule;
    private final Clock clock;
    private final TokenBucket bucket;
    /** The admin's live limit ({@link TokenBucket#UNLIMITED}: off), or null to follow the schedule. */
    private Long override;
    private long nextScheduleCheckNs;

    RateLimiter(RateSchedule schedule, Clock clock, long nowNs) {
        this.schedule = schedule;
        this.clock = clock;
        this.bucket = new TokenBucket(schedule.bytesPerSecondAt(LocalTime.now(clock)), nowNs);
        this.nextScheduleCheckNs = nowNs + TimeUnit.MILLISECONDS.toNanos(SCHEDULE_CHECK_MS);
    }

    /** Sets the admin's limit at once: {@code bytesPerSecond}, {@link TokenBucket#UNLIMITED} for none, or null to follow the schedule again. */
    void throttle(Long bytesPerSecond, long nowNs) {
        override = bytesPerSecond;
        bucket.rate(override != null ? override : schedule.bytesPerSecondAt(LocalTime.now(clock)), nowNs);
    }

    /** Whether a frame may go now. */
    boolean allows(long nowNs) {
        follow(nowNs);
        return bucket.allows(nowNs);
    }

    /** How long until a frame may go, at most until the schedule is looked at again. */
    long nsUntilAllowed(long nowNs) {
        follow(nowNs);
        return Math.min(bucket.nsUntilAllowed(nowNs), Math.max(0, nextScheduleCheckNs - nowNs));
    }

    /** {@code wireBytes} of a frame went out. */
    void sent(long wireBytes) {
        bucket.take(wireBytes);
    }

    /** The limit in force in bytes per second, or {@link TokenBucket#UNLIMITED}. */
    long bytesPerSecond() {
        return bucket.bytesPerSecond();
    }

    Origin origin() {
        if (override != null) {
            return override == TokenBucket.UNLIMITED ? Origin.NONE : Origin.THROTTLE;
        }
        if (bucket.bytesPerSecond() == TokenBucket.UNLIMITED) {
            return Origin.NONE;
        }
        return schedule.inWindow(LocalTime.now(clock)) ? Origin.SCHEDULE : Origin.MAX_RATE;
    }

    private void follow(long nowNs) {
        if (override != null || nowNs - nextScheduleCheckNs < 0) {
            return;
        }
        nextScheduleCheckNs = nowNs + TimeUnit.MILLISECONDS.toNanos(SCHEDULE_CHECK_MS);
        long scheduled = schedule.bytesPerSecondAt(LocalTime.now(clock));
        if (scheduled != bucket.bytesPerSecond()) {
            bucket.rate(scheduled, nowNs);
        }
    }
}
