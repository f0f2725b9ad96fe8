package io.replicator.source;

/** The answer to {@code ./replicator sync}: the volumes were rescanned and everything changed is durable on the target. */
public record SyncResult(Outcome result, long durationMs, long sentBytes, long durableSequence) {
}
