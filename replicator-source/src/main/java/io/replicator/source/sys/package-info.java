/**
 * Running the machine's own tools ({@code fsfreeze}, {@code mount}, {@code taskset}) from the
 * source daemon: {@link io.replicator.source.sys.Command}.
 */
package io.replicator.source.sys;
