package io.replicator.source.sync;

/**
 * Something the admin asked for that runs alongside replication, step by step on the sync agent's
 * thread. In this form only what is needed to withdraw it; not thread-safe.
 */
interface Job {
    /** The admin's client went away: stop (a cutover thaws) and say {@code why}. */
    void withdraw(String why);
}
