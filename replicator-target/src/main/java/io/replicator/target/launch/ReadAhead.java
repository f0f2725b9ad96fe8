package io.replicator.target.launch;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Prepares a volume's chunks in order on a thread of its own, up to {@link #DEPTH} chunks ahead of
 * the copy: reads each from the live volume (when copying) and lays the undo's runs in it, so that
 * the disk reads and the undo is laid while the copy writes the chunks before. Owned by the launching
 * thread; the work runs on its own daemon thread (the only one to use the {@link UndoLayer} while
 * this is open), ended by {@link #close()}.
 */
final class ReadAhead implements AutoCloseable {
    static final int DEPTH = 4;
    private final LiveReads live;
    private final LaunchVolume volume;
    private final int chunkBytes;
    private final int blockSize;
    private final UndoLayer layer;
    private final boolean[][] laid = new boolean[DEPTH][];
    private final ByteBuffer[] buffers = new ByteBuffer[DEPTH];
    @SuppressWarnings("unchecked")
    private final Future<ByteBuffer>[] reads = new Future[DEPTH];
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "launch-read-ahead");
        t.setDaemon(true);
        return t;
    });
    private int next;

    /**
     * Reads {@code volume} through {@code live}, or, with {@code live} null, reads nothing (the output
     * is a clone: a chunk holds only what is laid in it); {@code layer} lays the undo.
     */
    ReadAhead(LiveReads live, LaunchVolume volume, int chunkBytes, int blockSize, UndoLayer layer) {
        this.live = live;
        this.volume = volume;
        this.chunkBytes = chunkBytes;
        this.blockSize = blockSize;
        this.layer = layer;
        for (int i = 0; i < DEPTH; i++) {
            buffers[i] = ByteBuffer.allocateDirect(chunkBytes + LiveReads.ALIGNMENT - 1).alignedSlice(LiveReads.ALIGNMENT);
            laid[i] = new boolean[chunkBytes / blockSize];
            submit(i);
        }
    }

    private void submit(int chunk) {
        long offset = (long) chunk * chunkBytes;
        if (offset >= volume.sizeBytes()) {
            return;
        }
        ByteBuffer buffer = buffers[chunk % DEPTH];
        boolean[] blocks = laid[chunk % DEPTH];
        int length = (int) Math.min(chunkBytes, volume.sizeBytes() - offset);
        reads[chunk % DEPTH] = thread.submit(() -> {
            buffer.clear().limit(length);
            java.util.Arrays.fill(blocks, false);
            boolean undo = layer.has(volume.index(), chunk);
            if (live != null) {
                live.readFully(buffer, offset);
            }
            if (undo) {
                layer.lay(volume.index(), chunk, offset, buffer, blockSize, blocks);
            }
            return buffer;
        });
    }

    /** Which blocks of the chunk {@link #next()} returned last hold undo laid in them. */
    boolean[] laid() {
        return laid[(next - 1) % DEPTH];
    }

    /** The next chunk, read and laid (position 0, limit its length); valid until the call after next. */
    ByteBuffer next() throws IOException {
        if (next > 0) {
            submit(next - 1 + DEPTH); // the chunk handed out before is done with
        }
        Future<ByteBuffer> read = reads[next % DEPTH];
        next++;
        try {
            return read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading volume " + volume.name());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /**
     * Stops the work and waits until the thread has ended, so that the undo's memory maps are not
     * released under it.
     */
    @Override
    public void close() {
        thread.shutdownNow();
        boolean interrupted = false;
        while (true) {
            try {
                if (thread.awaitTermination(1, TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
