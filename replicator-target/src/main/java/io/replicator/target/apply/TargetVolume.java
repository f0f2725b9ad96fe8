package io.replicator.target.apply;

import io.replicator.protocol.wire.VolumeInfo;
import io.replicator.target.internal.VolumeProgress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One open volume of a session: the source's description of it, the file or block device it is
 * written onto. Owned by the session's apply thread, which alone reads, writes and closes it; the
 * session's force thread only calls {@link #force}.
 */
public final class TargetVolume implements AutoCloseable {
    private final String key;
    private final VolumeInfo info;
    private final Path path;
    private final FileChannel channel;
    private final VolumeProgress progress;
    private final UnwrittenBlocks unwritten;

    TargetVolume(String key, VolumeInfo info, Path path, FileChannel channel, UnwrittenBlocks unwritten) {
        this.unwritten = unwritten;
        this.key = key;
        this.info = info;
        this.path = path;
        this.channel = channel;
        this.progress = new VolumeProgress(info.name(), path.toString(), info.sizeBytes());
    }

    /** {@code "ID/NAME"}, as admins map it. */
    public String key() {
        return key;
    }

    public VolumeInfo info() {
        return info;
    }

    public Path path() {
        return path;
    }

    public VolumeProgress progress() {
        return progress;
    }


    /** Writes all of {@code buf} at {@code position}; an IOException when the device stops taking bytes. */
    public void write(ByteBuffer buf, long position) throws IOException {
        int length = buf.remaining();
        long at = position;
        while (buf.hasRemaining()) {
            int n = channel.write(buf, at);
            if (n <= 0) {
                throw new IOException(String.format("short write at offset %d: %d of %d bytes written",
                        position, at - position, length));
            }
            at += n;
        }
        if (unwritten != null) {
            unwritten.markWritten(position, length);
        }
        progress.applied(length);
    }

    /**
     * Whether the {@code length} bytes at {@code position} are holes of an image this receiver
     * created and nothing was written there since: a zero range there needs no write. Decided
     * without reading (reading a hole would fill the page cache with zeros).
     */
    public boolean holdsZeros(long position, int length) {
        if (unwritten != null && unwritten.isUnwritten(position, length)) {
            progress.applied(length);
            return true;
        }
        return false;
    }

    /**
     * Bytes read at {@code position} were not all zero: whatever this receiver believed unwritten
     * there was written by someone else, so zero ranges for it must be written from now on.
     */
    public void sawData(long position, int length) {
        if (unwritten != null) {
            unwritten.markWritten(position, length);
        }
    }

    /** Fills {@code buf} from {@code position}; an IOException when the volume ends first. */
    public void readFully(ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at);
            if (n < 0) {
                throw new IOException(String.format("unexpected end of file at offset %d (expected: %d more bytes)",
                        at, buf.remaining()));
            }
            at += n;
        }
    }

    /** Forces written data (not metadata) to stable storage. Called by the session's force thread while the apply thread writes: FileChannel allows it, and every write completed before the call is covered. */
    public void force() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return key + " at " + path;
    }
}
