package io.replicator.source.sync;

import io.replicator.protocol.block.ChunkHashes;
import io.replicator.protocol.wire.HashResponse;
import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.source.track.DirtyMap;
import java.util.ArrayList;
import java.util.List;

/**
 * What the verifications have proven of each chunk (one chunk per block), so that a cutover hashes
 * while frozen only the chunks written since they were compared (incremental verification, see
 * docs/design/010-cutover-waves.md). Per volume: the SHA-256 each chunk had on both sides when it
 * compared equal, and the chunks not proven, a {@link DirtyMap#follower() follower} of the kernel
 * tracker's dirty map: every write the tracker sees marks the chunk again there, whoever clears the
 * dirty map itself (the walks).
 *
 * <p>A chunk is proven when its bit is clear: the verification clears the bit <em>before</em> it
 * reads the chunk, and marks it again unless the target answers the same hash for it with nothing
 * in flight (settled). A write that completes after the read marks it again, so a clear bit means:
 * the kept hash is that of the bytes on both sides now, as far as the tracker and the receiver (which
 * writes only what the source sends) can tell. A lost event, a failed tracker, a lost connection
 * or a sealed cutover marks every chunk ({@link #forgetAll}).
 *
 * <p>Not thread-safe: owned by the sync agent's thread; the maps themselves are marked by the
 * tracker's threads too and are thread-safe.
 */
final class KeptHashes {
    /** The most memory the kept hashes of a source may take (32 bytes per block); above it every cutover verifies in full. */
    static final long MAX_KEPT_BYTES = 256L << 20;

    private final List<VolumeInfo> infos;
    private final List<DirtyMap> unproven = new ArrayList<>();
    private final List<byte[]> hashes = new ArrayList<>();

    private KeptHashes(List<VolumeInfo> infos, List<DirtyMap> dirtyMaps) {
        this.infos = List.copyOf(infos);
        for (int i = 0; i < infos.size(); i++) {
            unproven.add(dirtyMaps.get(i).follower());
            hashes.add(new byte[Math.toIntExact(infos.get(i).blockCount() * HashResponse.HASH_LENGTH)]);
        }
    }

    /**
     * Why a cutover of {@code volumes} must hash every chunk while frozen, or null when it can hash
     * only what changed: the kernel tracker must mark every write ({@code feedFailure}: why it was
     * given up, or null) and the hashes must fit in {@link #MAX_KEPT_BYTES}.
     */
    static String whyFull(List<VolumeState> volumes, String feedFailure) {
        long bytes = 0;
        for (VolumeState v : volumes) {
            if (v.dirty == null) {
                return "the scan tracker keeps no record of each write, so every chunk is hashed while frozen";
            }
            bytes += v.blockCount() * HashResponse.HASH_LENGTH;
        }
        if (feedFailure != null) {
            return "the kernel tracker was given up (" + feedFailure + ")";
        }
        if (bytes > MAX_KEPT_BYTES) {
            return "the chunk hashes of these volumes (" + bytes + " bytes) exceed the " + MAX_KEPT_BYTES
                    + " bytes kept in memory";
        }
        return null;
    }

    /** The kept hashes of {@code volumes}, every chunk unproven at first; only when {@link #whyFull} is null. */
    static KeptHashes of(List<VolumeState> volumes) {
        List<VolumeInfo> infos = new ArrayList<>();
        List<DirtyMap> maps = new ArrayList<>();
        for (VolumeState v : volumes) {
            infos.add(v.info);
            maps.add(v.dirty);
        }
        return of(infos, maps);
    }

    /** The kept hashes of volumes {@code infos} whose writes the kernel tracker marks in {@code dirtyMaps}. */
    static KeptHashes of(List<VolumeInfo> infos, List<DirtyMap> dirtyMaps) {
        return new KeptHashes(infos, dirtyMaps);
    }

    /** The first unproven chunk of {@code volume} at or after {@code block}, or the block count when none. */
    long nextUnproven(int volume, long block) {
        long next = unproven.get(volume).nextDirty(block);
        return next < 0 ? infos.get(volume).blockCount() : next;
    }

    /** How many blocks from {@code first} (an unproven one) to compare in one range of at most {@code max}: up to the last unproven one. */
    int rangeBlocks(int volume, long first, int max) {
        DirtyMap map = unproven.get(volume);
        int count = 1;
        for (long b = map.nextDirty(first + 1); b >= 0 && b < first + max; b = map.nextDirty(b + 1)) {
            count = (int) (b - first + 1);
        }
        return count;
    }

    /** Blocks {@code [first, first + count)} are about to be read for a comparison: each is proven only if it then compares equal. */
    void reading(int volume, long first, int count) {
        DirtyMap map = unproven.get(volume);
        for (long b = first; b < first + count; b++) {
            map.clear(b);
        }
    }

    /** The chunk compared equal on both sides, settled: {@code hash} is kept for it. */
    void proven(int volume, long block, byte[] hash) {
        System.arraycopy(hash, 0, hashes.get(volume), Math.toIntExact(block * HashResponse.HASH_LENGTH),
                HashResponse.HASH_LENGTH);
    }

    /** Blocks {@code [first, first + count)} are not proven (in flight, differing, or never answered). */
    void unprove(int volume, long first, int count) {
        DirtyMap map = unproven.get(volume);
        for (long b = first; b < first + count; b++) {
            map.mark(b);
        }
    }

    /** Every chunk of every volume must be compared again. */
    void forgetAll() {
        for (DirtyMap map : unproven) {
            map.markAll();
        }
    }

    long unprovenChunks(int volume) {
        return unproven.get(volume).count();
    }

    long unprovenChunks() {
        long n = 0;
        for (DirtyMap map : unproven) {
            n += map.count();
        }
        return n;
    }

    /**
     * The root of {@code volume} ({@link ChunkHashes}: SHA-256 over every chunk's hash in order) from
     * the kept hashes, the same on both sides; null while a chunk is unproven.
     */
    String root(int volume) {
        if (unproven.get(volume).count() > 0) {
            return null;
        }
        VolumeInfo v = infos.get(volume);
        ChunkHashes root = new ChunkHashes();
        root.beginRoot(v.sizeBytes(), v.blockSizeBytes());
        byte[] all = hashes.get(volume);
        byte[] one = new byte[HashResponse.HASH_LENGTH];
        for (int off = 0; off < all.length; off += one.length) {
            System.arraycopy(all, off, one, 0, one.length);
            root.addToRoot(one);
        }
        return root.finishRoot();
    }
}
