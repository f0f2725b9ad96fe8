package io.replicator.source.sync;

import java.util.concurrent.CompletableFuture;

/**
 * Someone waiting for the source to be in sync: complete once a pass that started after {@code
 * sinceNs} has finished and nothing is in flight or waiting to be resent.
 */
record Waiter(long sinceNs, CompletableFuture<Long> done) {
}
