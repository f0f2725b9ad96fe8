package io.replicator.source.sync;

import java.util.concurrent.CompletableFuture;

/**
 * Someone waiting for the source to be in sync: complete once a pass that started after {@code
 * sinceNs} has finished and nothing is in flight or waiting to be resent; failed once {@code
 * deadlineNs} has passed; dropped when its owner cancelled {@code done}.
 */
record Waiter(long sinceNs, long deadlineNs, CompletableFuture<Long> done) {
}
