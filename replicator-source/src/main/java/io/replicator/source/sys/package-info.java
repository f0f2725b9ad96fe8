/**
 * Running the machine's own tools ({@code fsfreeze}, {@code mount}, {@code taskset}) from the
 * source daemon ({@link io.replicator.source.sys.Command}), and whole files of its state directory
 * replaced so that a crash leaves the old or the new ({@link io.replicator.source.sys.DurableFiles}).
 */
package io.replicator.source.sys;
