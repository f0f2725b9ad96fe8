package io.replicator.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a daemon command in the foreground until SIGTERM or SIGINT, then runs its shutdown. */
final class Daemons {
    private Daemons() {
    }

    static void runUntilSignalled(String name, Runnable shutdown) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                shutdown.run();
            } finally {
                stopped.countDown();
            }
        }, name + "-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
