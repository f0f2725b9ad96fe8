/**
 * Bandwidth limits shared by both daemons: {@link io.replicator.protocol.rate.TokenBucket} meters
 * bytes on the wire against a rate that may change at any time. Nothing here knows of disks or
 * daemons; each bucket is owned by one thread (the source's sync agent, a receiver session's event
 * loop).
 */
package io.replicator.protocol.rate;
