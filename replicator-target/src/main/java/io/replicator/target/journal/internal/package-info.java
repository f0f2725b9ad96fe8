/**
 * How the journal sits on Chronicle Queue, not its API: the entry format and its decoder, the
 * layout of cycle files, what a sync forces, the free-space guard, and the scan and repair of a
 * damaged tail. Used only by {@code io.replicator.target.journal}; each class says which thread
 * owns it.
 */
package io.replicator.target.journal.internal;
