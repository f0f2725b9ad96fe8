package io.replicator.source.checkpoint;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;

/**
 * The source's checkpoints as {@code status} and the metrics show them: the last one (ok or not), and
 * {@code replicator_source_checkpoint_freeze_seconds} (how long each checkpoint held its file systems
 * frozen) with {@code replicator_source_checkpoints_total} by result. Thread-safe.
 */
public final class Checkpoints {
    /** Buckets of the freeze time, seconds: 10 ms to 30 s. */
    static final double[] FREEZE_BUCKETS_SECONDS = {0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30};

    /** The last checkpoint in {@code status}: its number, when, how long frozen, how it ended and why. */
    public record Last(long id, String time, String label, long freezeMs, String result, String reason,
                       boolean launchable, String endedUtc) {
    }

    private final DistributionSummary freeze;
    private final MeterRegistry registry;
    private final Tags tags;
    private volatile Last last;

    public Checkpoints(MeterRegistry registry, String sourceId) {
        this.registry = registry;
        this.tags = Tags.of("source", sourceId);
        this.freeze = DistributionSummary.builder("replicator.source.checkpoint.freeze").baseUnit("seconds").tags(tags)
                .serviceLevelObjectives(FREEZE_BUCKETS_SECONDS)
                .description("How long each checkpoint held the source's file systems frozen").register(registry);
        for (String result : new String[] {CheckpointResult.OK, CheckpointResult.FAILED, CheckpointResult.REFUSED}) {
            counter(result);
        }
    }

    private Counter counter(String result) {
        return Counter.builder("replicator.source.checkpoints").tags(tags.and("result", result))
                .description("Checkpoints asked of the source, by how they ended").register(registry);
    }

    /** Notes how a checkpoint ended. */
    public void record(CheckpointResult r) {
        counter(r.result()).increment();
        if (r.time() != null) {
            freeze.record(r.freezeMs() / 1000.0);
        }
        if (!CheckpointResult.REFUSED.equals(r.result()) || last == null) {
            last = new Last(r.id(), r.time(), r.label(), r.freezeMs(), r.result(), r.reason(), r.launchable(),
                    Instant.now().toString());
        }
    }

    /** The last checkpoint that started (else the last refusal), or null. */
    public Last last() {
        return last;
    }
}
