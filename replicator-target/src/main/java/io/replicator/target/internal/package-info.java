/**
 * Bookkeeping shared by the receiver's threads: which source ids are connected and what their
 * sessions applied ({@link io.replicator.target.internal.SourceRegistry}), and the hook through which
 * volume channels are opened. Not API; everything here is thread-safe.
 */
package io.replicator.target.internal;
