/**
 * Reading the volumes being replicated: files and block devices, sized correctly (a block
 * device's channel reports size 0), read with O_DIRECT where the device allows so that no stale
 * page cache is sent. A {@link io.replicator.source.volume.SourceVolume} belongs to the sync agent's
 * thread.
 */
package io.replicator.source.volume;
