/**
 * The source daemon's admin endpoint: its routes (status, metrics, sync, verify, cutover) on the
 * shared {@code io.replicator.admin.AdminServer}. Requests reach the daemon only through
 * {@code SourceDaemon}'s public methods; the server's threads own nothing here.
 */
package io.replicator.source.admin;
