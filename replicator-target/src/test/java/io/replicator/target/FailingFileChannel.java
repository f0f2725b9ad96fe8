package io.replicator.target;

import io.replicator.target.internal.FileChannelOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A file channel that fails like a broken disk when told to: positional writes or forces throw the
 * IOException set in {@link #writeError} or {@link #forceError}, everything else goes to the real file.
 * A positional write first goes through the {@link #device} set, if any: a slow device shared by
 * every channel.
 */
final class FailingFileChannel extends FileChannel {
    static final AtomicReference<String> writeError = new AtomicReference<>();
    static final AtomicReference<String> forceError = new AtomicReference<>();
    static final AtomicReference<Device> device = new AtomicReference<>();
    /** Opens every volume through a failing channel. */
    static final FileChannelOpener OPENER = (path, options) -> new FailingFileChannel(FileChannel.open(path, options),
            path);

    /** What a positional write of {@code bytes} to {@code path} goes through before it reaches the file. */
    interface Device {
        void write(Path path, int bytes) throws IOException;
    }

    private final FileChannel delegate;
    private final Path path;

    FailingFileChannel(FileChannel delegate, Path path) {
        this.delegate = delegate;
        this.path = path;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        String error = writeError.get();
        if (error != null) {
            throw new IOException(error);
        }
        Device d = device.get();
        if (d != null) {
            d.write(path, src.remaining());
        }
        return delegate.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        String error = forceError.get();
        if (error != null) {
            throw new IOException(error);
        }
        delegate.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return delegate.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
