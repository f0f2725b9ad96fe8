package io.replicator.target.launch;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a live volume's chunks for a launch's copy, around the page cache ({@code O_DIRECT}) where
 * the volume's file system or device allows it, else through it. Read around the cache, a volume
 * read once neither evicts what replication has cached nor costs a copy into the cache, and the
 * kernel writes back any dirty pages of the range before it reads (so the read sees the last
 * writes). Chunks whose offset, length or buffer address are not multiples of {@link #ALIGNMENT} (a
 * volume's last chunk, say) are read through the cache. Positioned reads: thread-safe.
 */
final class LiveReads implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveReads.class);
    /** What {@code O_DIRECT} needs of addresses, offsets and lengths: the largest logical block size in use. */
    static final int ALIGNMENT = 4096;
    private final LaunchVolume volume;
    private final FileChannel cached;
    private final FileChannel direct;

    private LiveReads(LaunchVolume volume, FileChannel cached, FileChannel direct) {
        this.volume = volume;
        this.cached = cached;
        this.direct = direct;
    }

    static LiveReads open(LaunchVolume volume) throws IOException {
        FileChannel cached = FileChannel.open(volume.livePath(), StandardOpenOption.READ);
        FileChannel direct = null;
        try {
            direct = FileChannel.open(volume.livePath(), StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("volume {} ({}) is read through the page cache: O_DIRECT refused ({})", volume.name(),
                    volume.livePath(), e.toString());
        }
        return new LiveReads(volume, cached, direct);
    }

    /**
     * Fills {@code chunk} (position to limit) with the volume's bytes from {@code offset}, and sets its
     * position back to 0.
     */
    void readFully(ByteBuffer chunk, long offset) throws IOException {
        FileChannel channel = direct != null && offset % ALIGNMENT == 0 && chunk.remaining() % ALIGNMENT == 0
                && chunk.alignmentOffset(chunk.position(), ALIGNMENT) == 0 ? direct : cached;
        long at = offset;
        while (chunk.hasRemaining()) {
            int n = channel.read(chunk, at);
            if (n < 0) {
                throw new IOException(String.format("volume %s (%s) ends at %d bytes, before its size %d",
                        volume.name(), volume.livePath(), at, volume.sizeBytes()));
            }
            at += n;
        }
        chunk.position(0);
    }

    @Override
    public void close() throws IOException {
        try {
            cached.close();
        } finally {
            if (direct != null) {
                direct.close();
            }
        }
    }
}
