/**
 * How the daemons and the command line put addresses and failures in words, the same way
 * everywhere: {@link io.replicator.protocol.text.HostPort} parses and formats {@code HOST:PORT},
 * {@link io.replicator.protocol.text.Causes} says in one line why something failed. Everything here
 * is stateless and thread-safe.
 */
package io.replicator.protocol.text;
