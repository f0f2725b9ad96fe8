package io.replicator.target.launch;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Where one volume of a launch is written, and which of its blocks already hold their contents at
 * the checkpoint: {@code NAME.img.partial} in the output directory (renamed to {@code NAME.img} when
 * complete) or a block device given with {@code --map}. Blocks are the volume's replication blocks;
 * the bitmap has one bit per block. While {@link #holesAreZero()} a block never written reads as
 * zeros (a new sparse file before the copy), so zeros need not be written. Owned by the launching
 * thread.
 */
final class VolumeOutput implements AutoCloseable {
    private final LaunchVolume volume;
    private final Path writePath;
    private final Path finalPath;
    private final boolean device;
    private final BitSet restored;
    private FileChannel channel;
    private boolean holesAreZero;
    private long restoredBytes;

    VolumeOutput(LaunchVolume volume, Path writePath, Path finalPath, boolean device) {
        this.volume = volume;
        this.writePath = writePath;
        this.finalPath = finalPath;
        this.device = device;
        long blocks = (volume.sizeBytes() + volume.blockSizeBytes() - 1) / volume.blockSizeBytes();
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("volume " + volume.name() + " has " + blocks + " blocks (expected: at "
                    + "most " + Integer.MAX_VALUE + ")");
        }
        this.restored = new BitSet((int) blocks);
    }

    LaunchVolume volume() {
        return volume;
    }

    /** The file written: {@code NAME.img.partial}, or the device. */
    Path writePath() {
        return writePath;
    }

    /** Where the copy ends up: {@code NAME.img}, or the device. */
    Path finalPath() {
        return finalPath;
    }

    boolean device() {
        return device;
    }

    /**
     * Opens the output for writing. With {@code newSparseFile} the file is cut to nothing and made
     * sparse at the volume's size (every block a hole reading as zeros); otherwise it is written over.
     */
    void open(boolean newSparseFile) throws IOException {
        RandomAccessFile file = new RandomAccessFile(writePath.toFile(), "rw");
        try {
            if (newSparseFile) {
                file.setLength(0);
                file.setLength(volume.sizeBytes());
            }
            channel = file.getChannel();
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        holesAreZero = newSparseFile;
    }

    FileChannel channel() {
        return channel;
    }

    boolean holesAreZero() {
        return holesAreZero;
    }

    /** From now on unwritten blocks may hold other bytes than zeros (the copy filled them). */
    void copied() {
        holesAreZero = false;
    }

    int blockSizeBytes() {
        return volume.blockSizeBytes();
    }

    boolean isRestored(int block) {
        return restored.get(block);
    }

    void markRestored(int fromBlock, int toBlockExclusive, long bytes) {
        restored.set(fromBlock, toBlockExclusive);
        restoredBytes += bytes;
    }

    long restoredBytes() {
        return restoredBytes;
    }

    /** Writes {@code src} (position to limit) whole at {@code offset}. */
    void write(ByteBuffer src, long offset) throws IOException {
        long at = offset;
        while (src.hasRemaining()) {
            at += channel.write(src, at);
        }
    }

    /** Forces what was written to stable storage. */
    void force() throws IOException {
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
