package io.replicator.admin;

import java.util.concurrent.CountDownLatch;

/** Keeps a daemon in the foreground until SIGTERM or SIGINT, then runs its shutdown (its endpoint first, then the daemon). */
public final class Daemons {
    private Daemons() {
    }

    public static void runUntilSignalled(String name, Runnable shutdown) {
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
