/**
 * What every listening endpoint uses to keep strangers from hurting it, with no knowledge of the
 * daemon behind it: {@link io.replicator.protocol.guard.ConnectionLimiter} bounds the connections
 * that have not authenticated yet, in all and per address prefix; {@link
 * io.replicator.protocol.guard.RefusalLog} logs refusals of such connections at a bounded rate;
 * {@link io.replicator.protocol.guard.PeerText} makes text a peer chose safe to log or print.
 * Everything here is thread-safe. The numbers the daemons use are in {@code docs/security.md}.
 */
package io.replicator.protocol.guard;
