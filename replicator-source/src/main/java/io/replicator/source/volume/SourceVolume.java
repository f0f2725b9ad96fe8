package io.replicator.source.volume;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One volume being replicated: a regular file or a block device, opened read-only, with O_DIRECT
 * where the file system or device accepts it (reads then bypass the page cache, so what is sent is
 * what is on the device) and buffered reads otherwise. Reads are positional, in aligned units, into
 * an aligned buffer the caller owns: several threads may read at once (a scan's read-ahead and the
 * sync agent); opening and closing belong to the source daemon.
 */
public final class SourceVolume implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceVolume.class);
    /** Alignment of O_DIRECT buffers, offsets and lengths: the largest logical block size in use. */
    public static final int DIRECT_ALIGNMENT = 4096;

    private final Path path;
    private final String name;
    private final long sizeBytes;
    private final boolean blockDevice;
    private final boolean direct;
    private final FileChannel channel;

    private SourceVolume(Path path, String name, long sizeBytes, boolean blockDevice, boolean direct,
                         FileChannel channel) {
        this.path = path;
        this.name = name;
        this.sizeBytes = sizeBytes;
        this.blockDevice = blockDevice;
        this.direct = direct;
        this.channel = channel;
    }

    /** Opens {@code path}; a missing path or one that is neither a file nor a block device is refused by name. */
    public static SourceVolume open(Path path, String name) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "volume does not exist");
        }
        boolean blockDevice = BlockDevices.isBlockDevice(path);
        if (!blockDevice && !Files.isRegularFile(path)) {
            throw new IOException(path + " is neither a block device nor a regular file");
        }
        FileChannel channel;
        boolean direct;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
            direct = true;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.info("volume {}: O_DIRECT not supported on {} ({}); reading through the page cache",
                    name, path, e.getMessage());
            channel = FileChannel.open(path, StandardOpenOption.READ);
            direct = false;
        }
        try {
            long size = blockDevice ? BlockDevices.sizeBytes(path) : channel.size();
            return new SourceVolume(path, name, size, blockDevice, direct, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A buffer usable for {@link #read}: direct and aligned for O_DIRECT. */
    public static ByteBuffer allocateAligned(int capacityBytes) {
        int rounded = (capacityBytes + DIRECT_ALIGNMENT - 1) / DIRECT_ALIGNMENT * DIRECT_ALIGNMENT;
        return ByteBuffer.allocateDirect(rounded + DIRECT_ALIGNMENT).alignedSlice(DIRECT_ALIGNMENT)
                .limit(rounded);
    }

    /**
     * Reads {@code lengthBytes} at {@code offset} (aligned) into {@code dst} from position 0;
     * returns {@code dst} flipped to exactly the bytes of the volume (short at its end).
     */
    public ByteBuffer read(long offset, int lengthBytes, ByteBuffer dst) throws IOException {
        int wanted = (int) Math.min(lengthBytes, sizeBytes - offset);
        int aligned = (wanted + DIRECT_ALIGNMENT - 1) / DIRECT_ALIGNMENT * DIRECT_ALIGNMENT;
        dst.clear().limit(direct ? aligned : wanted);
        long position = offset;
        while (dst.position() < wanted) {
            int n = channel.read(dst, position);
            if (n < 0) {
                throw new EOFException(String.format("volume %s (%s) ended at %d, expected %d bytes",
                        name, path, position, sizeBytes));
            }
            position += n;
        }
        dst.position(0).limit(wanted);
        return dst;
    }

    public Path path() {
        return path;
    }

    public String name() {
        return name;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    public boolean isBlockDevice() {
        return blockDevice;
    }

    public boolean isDirect() {
        return direct;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
